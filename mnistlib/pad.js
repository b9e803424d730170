// The drawing pad's script, run by JupyterLab when the pad's cell shows it
// (see pad.go). It draws what the pointer (mouse, touch or pen) traces, and
// after each stroke sends every stroke so far to the cell's program through
// GoNB's gonb_comm: the program answers by redrawing the outputs below the pad.
(() => {
  const root = document.getElementById("{{.ID}}");
  if (!root) return;
  const address = "{{.Address}}", pingAddress = "{{.PingAddress}}", pen = {{.Pen}};
  const canvas = root.querySelector("canvas");
  const status = root.querySelector(".mnist-pad-status");
  const comm = globalThis.gonb_comm;
  if (!comm) { // a saved notebook reopened: no program listens any more
    status.textContent = {{.NotConnected}};
    return;
  }
  const g = canvas.getContext("2d");
  const blank = () => { g.fillStyle = "#000"; g.fillRect(0, 0, canvas.width, canvas.height); };
  blank();
  g.strokeStyle = "#fff";
  g.fillStyle = "#fff";
  g.lineWidth = pen;
  g.lineCap = "round";
  g.lineJoin = "round";

  let strokes = [], current = null, seq = 0;
  // Messages are JSON text: GoNB passes strings through unchanged. seq lets the
  // program drop a message that arrives after a newer one.
  const send = (msg) => { msg.seq = ++seq; comm.send(address, JSON.stringify(msg)); };
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [Math.round((e.clientX - r.left) * canvas.width / r.width),
            Math.round((e.clientY - r.top) * canvas.height / r.height)];
  };
  canvas.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    canvas.setPointerCapture(e.pointerId);
    const [x, y] = at(e);
    current = [x, y];
    strokes.push(current);
    g.beginPath();
    g.arc(x, y, pen / 2, 0, 2 * Math.PI);
    g.fill();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!current) return;
    e.preventDefault();
    const [x, y] = at(e);
    const n = current.length;
    if (x === current[n - 2] && y === current[n - 1]) return;
    g.beginPath();
    g.moveTo(current[n - 2], current[n - 1]);
    g.lineTo(x, y);
    g.stroke();
    current.push(x, y);
  });
  const end = () => {
    if (!current) return;
    current = null;
    status.textContent = "";
    send({ kind: "strokes", width: canvas.width, height: canvas.height, pen: pen, strokes: strokes });
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  root.querySelector("button.mnist-pad-clear").addEventListener("click", () => {
    strokes = [];
    current = null;
    blank();
    g.fillStyle = "#fff";
    send({ kind: "clear" });
  });

  // The program asks now and then whether the pad is still open; it stops
  // when nobody answers (the notebook was closed). The notebook's element is
  // kept from the start: JupyterLab may detach a scrolled-away cell for a
  // while, but a closed notebook leaves the page.
  const notebook = root.closest(".jp-Notebook") || root;
  comm.subscribe(pingAddress, (_, n) => {
    if (notebook.isConnected) comm.send(address, JSON.stringify({ kind: "pong", n: Number(n) }));
  });
  send({ kind: "hello" });
  status.textContent = {{.DrawHere}};
})();
