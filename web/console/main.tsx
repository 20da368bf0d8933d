// The agent console: /console/ on the Switchboard server (same origin as the API).
import { render } from "preact";
import { Store } from "./store";
import { App } from "./ui/App";
import { StoreContext } from "./ui/context";
import "./style.css";

const store = new Store();
render(
  <StoreContext.Provider value={store}>
    <App />
  </StoreContext.Provider>,
  document.getElementById("app")!,
);
void store.start();
