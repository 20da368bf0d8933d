/** @jsxImportSource react */
// What every part of the editor reads: texts, problems by node, the test's highlight.
import { createContext, useContext } from "react";
import type { DryRunAnswer } from "../api";
import type { Problem } from "../graph/validate";
import type { GroupName } from "../describe";
import type { T } from "../i18n";

export type Highlight = {
  fired: string; // the rule (or the fallback) that fires
  path: Set<string>; // it and its actions
  edges: Set<string>; // "from->to" along the path
  last: string | null; // the action where the conversation ends up
  answer: DryRunAnswer;
};

export type EditorContextValue = {
  t: T;
  problems: Map<string, Problem[]>; // node id -> its problems
  highlight: Highlight | null;
  groupName: GroupName; // a group id -> its name, for what the nodes say
};

export const EditorContext = createContext<EditorContextValue>({
  t: (k) => k,
  problems: new Map(),
  highlight: null,
  groupName: (id) => id,
});

export const useEditor = () => useContext(EditorContext);
