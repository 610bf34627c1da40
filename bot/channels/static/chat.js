// Học Số web chat: keeps the session in localStorage, so closing the tab loses nothing.
"use strict";
(function () {
  const list = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  let session = localStorage.getItem("hocso-session");
  let busy = false;

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

  function disableOldButtons() {
    list.querySelectorAll(".row button").forEach((b) => { b.disabled = true; });
  }

  function showReply(reply) {
    const div = bubble("", "bot");
    if (reply.image) {
      const img = document.createElement("img");
      img.src = reply.image;
      img.alt = "";
      img.addEventListener("load", scrollDown);
      div.appendChild(img);
    }
    div.appendChild(document.createTextNode(reply.text));
    if (reply.buttons.length) {
      const box = document.createElement("div");
      box.className = "buttons";
      reply.buttons.forEach((row) => {
        const r = document.createElement("div");
        r.className = "row";
        row.forEach((button) => {
          const b = document.createElement("button");
          b.type = "button";
          b.textContent = button.label;
          b.addEventListener("click", () => send({ payload: button.payload }, button.label));
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
    return { status: response.status, data: await response.json() };
  }

  async function startSession() {
    const { data } = await post("/api/session", {});
    session = data.session;
    localStorage.setItem("hocso-session", session);
  }

  // Send one message; a network failure is retried with the same id, so it counts once.
  async function send(message, echo) {
    if (busy) return;
    busy = true;
    if (echo) bubble(echo, "me");
    const id = newId();
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          let result = await post("/api/chat", Object.assign({ session, id }, message));
          if (result.status === 404) {
            await startSession();
            result = await post("/api/chat", { session, id: newId(), payload: "start" });
          }
          if (result.status !== 200) {
            notice("Có lỗi xảy ra. Bạn hãy thử lại nhé.");
            return;
          }
          if (!result.data.replies.length && attempt > 0) {
            // The lost answer was already handled: show where the learner now is instead.
            result = await post("/api/chat", { session, id: newId(), payload: "resume" });
          }
          if (result.data.replies.length) disableOldButtons();
          result.data.replies.forEach(showReply);
          return;
        } catch (error) {
          if (attempt >= 2) {
            notice("Mất kết nối mạng. Bạn kiểm tra mạng rồi thử lại nhé.");
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
        }
      }
    } finally {
      busy = false;
      input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text }, text);
  });

  (async function begin() {
    if (!session) {
      await startSession();
      send({ payload: "start" });
    } else {
      send({ payload: "resume" });
    }
  })();
})();
