// Học Số web chat: keeps the session (and recent messages) in localStorage, so closing the tab
// loses nothing; every message carries an id so a retried request is counted once.
"use strict";
(function () {
  const list = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const HISTORY_LIMIT = 40;
  let store = null;
  try { store = window.localStorage; } catch (error) { store = null; } // private mode
  let session = store ? store.getItem("hocso-session") : null;
  let history = [];
  let busy = false;

  function remember(entry) {
    if (!store) return;
    history.push(entry);
    history = history.slice(-HISTORY_LIMIT);
    try { store.setItem("hocso-history", JSON.stringify(history)); } catch (error) { /* full */ }
  }

  function newId() {
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function scrollDown() { list.scrollTop = list.scrollHeight; }

  function bubble(text, who) {
    const div = document.createElement("div");
    div.className = "bubble " + who;
    div.textContent = text;
    list.appendChild(div);
    scrollDown();
    return div;
  }

  function notice(text) {
    const p = document.createElement("p");
    p.className = "notice";
    p.textContent = text;
    list.appendChild(p);
    scrollDown();
  }

  function disableButtons() {
    list.querySelectorAll(".row button").forEach((b) => { b.disabled = true; });
  }

  function enableLastButtons() {
    const boxes = list.querySelectorAll(".buttons");
    if (!boxes.length) return;
    boxes[boxes.length - 1].querySelectorAll("button").forEach((b) => {
      b.disabled = false;
      b.classList.remove("chosen");
    });
  }

  function showReply(reply, live) {
    const div = bubble("", "bot");
    if (reply.image) {
      const img = document.createElement("img");
      img.src = reply.image;
      img.alt = "";
      img.addEventListener("load", scrollDown);
      div.appendChild(img);
    }
    div.appendChild(document.createTextNode(reply.text));
    if (reply.file) {
      const link = document.createElement("a");
      link.className = "file";
      link.href = URL.createObjectURL(new Blob([reply.file.text], { type: reply.file.type }));
      link.download = reply.file.name;
      link.textContent = "📎 Tải tệp " + reply.file.name;
      div.appendChild(link);
    }
    if (live && reply.buttons.length) {
      const box = document.createElement("div");
      box.className = "buttons";
      reply.buttons.forEach((row) => {
        const r = document.createElement("div");
        r.className = "row";
        row.forEach((button) => {
          const b = document.createElement("button");
          b.type = "button";
          b.textContent = button.label;
          b.addEventListener("click", () => {
            b.classList.add("chosen");
            send({ payload: button.payload }, button.label);
          });
          r.appendChild(b);
        });
        box.appendChild(r);
      });
      div.appendChild(box);
    }
    scrollDown();
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = (response.headers.get("Content-Type") || "").includes("application/json");
    return { status: response.status, data: json ? await response.json() : {} };
  }

  async function startSession() {
    const { status, data } = await post("/api/session", {});
    if (status !== 200) throw new Error("session " + status);
    session = data.session;
    history = [];
    if (store) {
      store.setItem("hocso-session", session);
      store.removeItem("hocso-history");
    }
  }

  // Send one message; a network failure is retried with the same id, so it counts once.
  async function send(message, echo) {
    if (busy) return;
    busy = true;
    disableButtons(); // one tap is enough: show at once that it was taken
    if (echo) { bubble(echo, "me"); remember({ me: echo }); }
    const id = newId();
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          let result = await post("/api/chat", Object.assign({ session, id }, message));
          if (result.status === 404) {
            await startSession();
            result = await post("/api/chat", { session, id: newId(), payload: "start" });
          }
          if (result.status === 200 && !result.data.replies.length && attempt > 0) {
            // The lost answer was already handled: show where the learner now is instead.
            result = await post("/api/chat", { session, id: newId(), payload: "resume" });
          }
          if (result.status === 503) {
            notice("Học Số đang tạm bận một chút. Bạn chờ ít phút rồi thử lại nhé. " +
                   "Bài đang học vẫn được giữ nguyên.");
            enableLastButtons();
            return;
          }
          if (result.status !== 200) {
            notice("Có lỗi xảy ra. Bạn hãy thử lại nhé.");
            enableLastButtons();
            return;
          }
          result.data.replies.forEach((reply) => {
            showReply(reply, true);
            remember({ bot: reply });
          });
          return;
        } catch (error) {
          if (attempt >= 2) {
            notice("Mất kết nối mạng. Bạn kiểm tra mạng rồi thử lại nhé.");
            enableLastButtons();
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
        }
      }
    } finally {
      busy = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text }, text);
  });

  // Messages that reach this learner from others (a mentor's nudge) arrive between turns.
  async function checkInbox() {
    if (busy || !session || document.hidden) return;
    try {
      const result = await post("/api/inbox", { session });
      if (result.status !== 200) return;
      result.data.replies.forEach((reply) => {
        showReply(reply, true);
        remember({ bot: reply });
      });
    } catch (error) { /* offline for now: the next check will bring them */ }
  }

  (async function begin() {
    // A mentor's invitation link: /?kem=KEM-7Q4X opens the chat with that code typed.
    const code = new URLSearchParams(window.location.search).get("kem");
    try {
      if (!session) {
        await startSession();
        await send({ payload: "start" });
      } else {
        try { history = JSON.parse(store.getItem("hocso-history") || "[]"); } catch (e) { history = []; }
        history.forEach((entry) => (entry.me ? bubble(entry.me, "me") : showReply(entry.bot, false)));
        if (!code) await send({ payload: "resume" });
      }
      if (code) {
        window.history.replaceState(null, "", window.location.pathname);
        await send({ text: code.slice(0, 16) }, code.slice(0, 16));
      }
      setInterval(checkInbox, 20000);
    } catch (error) {
      notice("Chưa kết nối được với Học Số. Bạn tải lại trang sau ít phút nhé.");
    }
  })();
})();
