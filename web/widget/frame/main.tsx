import { render } from "preact";
render(<p>widget</p>, document.getElementById("app")!);
