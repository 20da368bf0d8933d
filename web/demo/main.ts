// The demo shop's own script: its "Ask us" buttons open the chat through the
// widget's JavaScript API (window.Switchboard, defined by /widget.js).
import "./demo.css";

interface SwitchboardApi {
  open(): void;
}

function whenWidget(fn: (api: SwitchboardApi) => void): void {
  const api = (window as { Switchboard?: SwitchboardApi }).Switchboard;
  if (api) fn(api);
  else setTimeout(() => whenWidget(fn), 100);
}

for (const button of document.querySelectorAll<HTMLButtonElement>("[data-open-chat]")) {
  button.addEventListener("click", () => whenWidget((api) => api.open()));
}

for (const add of document.querySelectorAll<HTMLButtonElement>("[data-add]")) {
  add.addEventListener("click", () => {
    const count = document.getElementById("cart-count");
    if (count) count.textContent = String(Number(count.textContent ?? "0") + 1);
    add.textContent = "Added ✓";
  });
}
