// Reading a graph from an exported JSON file: the shape is checked here, the
// meaning by the validator and, on save, by the server.
import { Graph, actionTypes, conditionTypes } from "../graph/model";

export function parseGraphFile(text: string): Graph {
  let data: any;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error((e as Error).message);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new Error("not a JSON object");
  for (const key of ["rules", "actions", "edges"]) if (!Array.isArray(data[key])) throw new Error(`"${key}" must be an array`);
  if (!data.fallback || typeof data.fallback !== "object" || typeof data.fallback.id !== "string") throw new Error(`"fallback" must be an object with an id`);
  for (const r of data.rules) {
    if (!r || typeof r.id !== "string") throw new Error("every rule needs an id");
    if (!Array.isArray(r.conditions)) r.conditions = [];
    if (r.match !== "any") r.match = "all";
    for (const c of r.conditions)
      if (!c || typeof c.id !== "string" || !conditionTypes.includes(c.type)) throw new Error(`rule ${r.id}: every condition needs an id and one of the types ${conditionTypes.join(", ")}`);
  }
  for (const a of data.actions)
    if (!a || typeof a.id !== "string" || !actionTypes.includes(a.type)) throw new Error(`every action needs an id and one of the types ${actionTypes.join(", ")}`);
  for (const e of data.edges) if (!e || typeof e.from !== "string" || typeof e.to !== "string") throw new Error("every edge needs from and to");
  return { rules: data.rules, actions: data.actions, fallback: data.fallback, edges: data.edges };
}
