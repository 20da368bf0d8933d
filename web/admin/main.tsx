/** @jsxImportSource react */
// The admin UI's entry: React 18 with React Flow (see web/README.md, "The admin UI").
import "@xyflow/react/dist/style.css";
import "./admin.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
