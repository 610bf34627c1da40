// Học Số web chat. On a person's own device it keeps the session (and recent messages) in
// localStorage, so closing the tab loses nothing. In kiosk mode (a computer many people use)
// it keeps nothing in the browser and ends the session after a few idle minutes. "Người khác
// dùng máy này" ends the session here and on the server. Every message carries an id, so a
// retried request is counted once. The page's own words are in the language of the learner's
// last reply (data-texts: every language's, from content/templates/<locale>/web.yaml).
"use strict";
(function () {
  const list = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const photoInput = document.getElementById("photo");
  const photoButton = document.getElementById("photo-button");
  const MAX_PHOTO_BYTES = Number(document.body.dataset.maxPhoto || "0");
  // A big camera photo is made smaller here first: less to send on a slow connection, and
  // OCR reads no better beyond this width (bot/listening/ocr.py MAX_WIDTH).
  const PHOTO_WIDTH = 1600;
  const PHOTO_KEEP_BYTES = 1024 * 1024;
  const confirmBox = document.getElementById("confirm-new");
  const viewer = document.getElementById("viewer");
  const viewerImage = document.getElementById("viewer-image");
  const kiosk = document.body.dataset.kiosk === "1";
  const idleMs = Number(document.body.dataset.idleSeconds || "0") * 1000;
  const HISTORY_LIMIT = 40;
  const KEYS = ["hocso-session", "hocso-history", "hocso-text-size", "hocso-locale"];
  const TEXT_SIZES = 5; // steps of --chat-text in chat.css; 1 is the usual size
  const TEXTS = JSON.parse(document.body.dataset.texts || "{}");
  const BASE_LOCALE = "vi";
  // A hint for the consent notice, which offers the browser's language when it has texts.
  const BROWSER_LANGUAGE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/.test(navigator.language || "")
    ? navigator.language : "";
  let store = null;
  try { store = window.localStorage; } catch (error) { store = null; } // private mode
  if (kiosk && store) {
    KEYS.forEach((key) => store.removeItem(key)); // left by an earlier, non-kiosk page
    store = null;
  }
  let session = store ? store.getItem("hocso-session") : null;
  let locale = BASE_LOCALE;

  // One of the page's own words in the learner's language (Vietnamese where it has none).
  function say(key) {
    return (TEXTS[locale] || {})[key] || (TEXTS[BASE_LOCALE] || {})[key] || "";
  }

  // Say the page's words in `chosen`, the language of the learner's last reply; kept on a
  // person's own device, so a reload speaks it before the first answer.
  function speak(chosen, keep) {
    locale = TEXTS[chosen] ? chosen : BASE_LOCALE;
    document.documentElement.lang = locale;
    document.title = say("web_title");
    document.querySelectorAll("[data-text]").forEach((e) => { e.textContent = say(e.dataset.text); });
    document.querySelectorAll("[data-text-label]").forEach((e) => {
      e.setAttribute("aria-label", say(e.dataset.textLabel));
    });
    document.querySelectorAll("[data-text-placeholder]").forEach((e) => {
      e.placeholder = say(e.dataset.textPlaceholder);
    });
    document.querySelectorAll("[data-text-alt]").forEach((e) => { e.alt = say(e.dataset.textAlt); });
    if (store && keep) {
      try { store.setItem("hocso-locale", locale); } catch (error) { /* full */ }
    }
  }
  if (store && store.getItem("hocso-locale")) speak(store.getItem("hocso-locale"), false);

  // A− / A+: kept on a person's own device, forgotten in kiosk mode like everything else.
  function setTextSize(size, keep) {
    const chosen = Math.max(0, Math.min(TEXT_SIZES - 1, size));
    document.documentElement.dataset.textSize = String(chosen);
    document.getElementById("text-smaller").disabled = chosen === 0;
    document.getElementById("text-larger").disabled = chosen === TEXT_SIZES - 1;
    if (store && keep) {
      try { store.setItem("hocso-text-size", String(chosen)); } catch (error) { /* full */ }
    }
    return chosen;
  }
  let textSize = Number(store ? store.getItem("hocso-text-size") || "1" : "1");
  textSize = setTextSize(Number.isInteger(textSize) ? textSize : 1, false);
  document.getElementById("text-smaller").addEventListener("click", () => {
    textSize = setTextSize(textSize - 1, true);
  });
  document.getElementById("text-larger").addEventListener("click", () => {
    textSize = setTextSize(textSize + 1, true);
  });
  let history = [];
  let busy = false;
  let idleTimer = null;

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

  // Down as far as the chat goes, but never past the top of `element` (the newest answer):
  // a long step is read from its start, its picture and "❌ Chưa đúng" line included.
  function reveal(element) {
    list.scrollTop = Math.min(list.scrollHeight - list.clientHeight, element.offsetTop - 8);
  }

  function bubble(text, who) {
    const div = document.createElement("div");
    div.className = "bubble " + who;
    div.textContent = text;
    list.appendChild(div);
    reveal(div);
    return div;
  }

  function notice(text) {
    const p = document.createElement("p");
    p.className = "notice";
    p.textContent = text;
    list.appendChild(p);
    reveal(p);
  }

  // A picture full screen: the browser's own pinch-zoom works on it, and a tap on the
  // picture switches between the whole picture and twice its size (for a mouse).
  function openPicture(src) {
    viewerImage.src = src;
    viewerImage.classList.remove("zoomed");
    viewer.hidden = false;
    document.getElementById("viewer-close").focus();
  }

  function closePicture() {
    viewer.hidden = true;
    viewerImage.removeAttribute("src");
  }

  function disableButtons() {
    list.querySelectorAll(".row button").forEach((b) => { b.disabled = true; });
  }

  function lastBox() {
    const boxes = list.querySelectorAll(".buttons");
    return boxes.length ? boxes[boxes.length - 1] : null;
  }

  function samePayloads(box, rows) {
    const shown = Array.from(box.querySelectorAll("button"), (b) => b.dataset.payload || "");
    const given = rows.flat().map((button) => button.payload || "");
    return given.length > 0 && shown.join("\n") === given.join("\n");
  }

  function enableLastButtons() {
    const box = lastBox();
    if (!box) return;
    box.querySelectorAll("button").forEach((b) => {
      b.disabled = false;
      b.classList.remove("chosen");
    });
  }

  function buttonBox(rows, onTap) {
    const box = document.createElement("div");
    box.className = "buttons";
    rows.forEach((row) => {
      const r = document.createElement("div");
      r.className = "row";
      row.forEach((button) => {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = button.label;
        b.dataset.payload = button.payload || "";
        b.addEventListener("click", () => {
          b.classList.add("chosen");
          onTap(button);
        });
        r.appendChild(b);
      });
      box.appendChild(r);
    });
    return box;
  }

  function showReply(reply, live) {
    const div = bubble("", "bot");
    if (reply.image) {
      const img = document.createElement("img");
      if (reply.size) { // its space is kept before it loads: nothing below it jumps
        img.width = reply.size[0];
        img.height = reply.size[1];
      }
      img.src = reply.image;
      img.alt = say("web_picture");
      img.tabIndex = 0; // reachable with a keyboard too
      img.addEventListener("click", () => openPicture(reply.image));
      img.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          openPicture(reply.image);
        }
      });
      div.appendChild(img);
    }
    div.appendChild(document.createTextNode(reply.text));
    if (reply.file) {
      const link = document.createElement("a");
      link.className = "file";
      // A picture (a certificate) comes as base64 and is shown too; a data file as text.
      const body = reply.file.base64
        ? Uint8Array.from(atob(reply.file.base64), (c) => c.charCodeAt(0)) : reply.file.text;
      link.href = URL.createObjectURL(new Blob([body], { type: reply.file.type }));
      if (reply.file.base64 && reply.file.type.startsWith("image/")) {
        const picture = document.createElement("img");
        picture.className = "step-image";
        picture.src = link.href;
        picture.alt = reply.file.name;
        div.appendChild(picture);
      }
      link.download = reply.file.name;
      link.textContent = say("web_download").replace("{name}", reply.file.name);
      div.appendChild(link);
    }
    if (live && reply.buttons.length) {
      div.appendChild(buttonBox(reply.buttons,
                                (button) => send({ payload: button.payload }, button.said || button.label)));
    }
    return div;
  }

  // A turn's answers, shown from the top of the first.
  function showReplies(replies) {
    let first = null;
    replies.forEach((reply) => {
      if (reply.locale && reply.locale !== locale) speak(reply.locale, true);
      const div = showReply(reply, true);
      first = first || div;
      remember({ bot: reply });
    });
    if (first) reveal(first);
  }

  // A JSON body, or a photo's form (the browser writes its multipart header itself).
  async function post(url, body, keepalive) {
    const form = body instanceof FormData;
    const response = await fetch(url, {
      method: "POST",
      headers: form ? {} : { "Content-Type": "application/json" },
      body: form ? body : JSON.stringify(body),
      keepalive: Boolean(keepalive),
    });
    const json = (response.headers.get("Content-Type") || "").includes("application/json");
    return { status: response.status, data: json ? await response.json() : {} };
  }

  function explain(status) {
    if (status === 503) return say("web_busy");
    // 429: too much from this address or its network, perhaps from others at the same office.
    if (status === 429) return say("web_too_fast");
    if (status === 413) return say("web_photo_too_big");
    return say("web_error");
  }

  async function startSession() {
    const { status, data } = await post("/api/session", {});
    if (status !== 200) return status;
    session = data.session;
    history = [];
    if (store) {
      store.setItem("hocso-session", session);
      store.removeItem("hocso-history");
    }
    return 200;
  }

  // Kiosk: the session ends after idleMs without a message from the resident.
  function idleFromNow() {
    if (!kiosk || !idleMs) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => { endSession(); }, idleMs);
  }

  // Forget this session here and on the server; the screen is left for the next person.
  async function endSession() {
    clearTimeout(idleTimer);
    confirmBox.hidden = true;
    const ended = session;
    session = null;
    history = [];
    if (store) KEYS.forEach((key) => store.removeItem(key));
    textSize = setTextSize(1, false); // the next person starts with the usual size
    speak(BASE_LOCALE, false); // ... and in the first language, until they choose
    list.replaceChildren();
    input.value = "";
    if (ended) {
      try { await post("/api/session/end", { session: ended }, true); } catch (error) { /* gone */ }
    }
    const div = bubble(say("web_hello"), "bot");
    div.appendChild(buttonBox([[{ label: say("web_start") }]], () => send({ payload: "start" })));
  }

  // Where and what to post for one message: a photo as a form, anything else as JSON.
  function request(message, id) {
    if (!message.photo) return ["/api/chat", Object.assign({ session, id }, message)];
    const form = new FormData();
    form.append("session", session);
    form.append("id", id);
    form.append("photo", message.photo, "anh-tin-nhan");
    return ["/api/photo", form];
  }

  // A big photo redrawn smaller as a JPEG; a small one, or a file no browser can draw (the
  // server then answers that it is not a picture), is sent as it is.
  async function smaller(file) {
    if (file.size <= PHOTO_KEEP_BYTES || typeof createImageBitmap !== "function") return file;
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(1, PHOTO_WIDTH / bitmap.width);
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
      return blob && blob.size < file.size ? blob : file;
    } catch (error) {
      return file;
    }
  }

  async function sendPhoto(file) {
    if (busy) return;
    const photo = await smaller(file);
    if (MAX_PHOTO_BYTES && photo.size > MAX_PHOTO_BYTES) {
      notice(say("web_photo_too_big"));
      return;
    }
    await send({ photo }, say("web_photo_echo"));
  }

  // Send one message; a network failure is retried with the same id, so it counts once.
  async function send(message, echo) {
    if (busy) return;
    busy = true;
    disableButtons(); // one tap is enough: show at once that it was taken
    if (echo) { bubble(echo, "me"); remember({ me: echo }); }
    idleFromNow();
    const id = newId();
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          let result = { status: 404 };
          if (session) result = await post(...request(message, id));
          if (result.status === 404) { // no session yet, or it ended: a new one, opened by
            // what was typed or sent (a strange message is checked even before agreeing), or
            // by "start" for a button of the old one
            const started = await startSession();
            const own = message.payload === undefined;
            const first = own ? Object.assign({ language: BROWSER_LANGUAGE }, message)
              : { payload: "start", language: BROWSER_LANGUAGE };
            // The message's own id: if this answer is lost, the retry below is the same
            // message to the same session, handled once.
            result = started === 200 ? await post(...request(first, own ? id : newId()))
              : { status: started };
          }
          if (result.status === 200 && !result.data.replies.length && attempt > 0) {
            // The lost answer was already handled: show where the learner now is instead.
            result = await post("/api/chat", { session, id: newId(), payload: "resume" });
          }
          if (result.status !== 200) {
            notice(explain(result.status));
            enableLastButtons();
            return;
          }
          const replies = result.data.replies;
          if (!replies.length) { // not acted on (too many at once): the buttons work again
            // The Tutor says "slow down" once a burst, then nothing (a messenger must not be
            // flooded back); here a word all the same, so no message is left unanswered.
            notice(say("web_not_read"));
            enableLastButtons();
            return;
          }
          const pressed = lastBox();
          showReplies(replies);
          // An answer without buttons ("too long", a sticker) left the learner's choices as
          // they were, on the server too: the buttons above still mean the same.
          if (!replies.some((reply) => reply.buttons && reply.buttons.length)) enableLastButtons();
          // The same buttons again ("slow down"): the earlier choice was not taken.
          if (pressed && samePayloads(pressed, replies[0].buttons)) {
            pressed.querySelectorAll("button").forEach((b) => b.classList.remove("chosen"));
          }
          return;
        } catch (error) {
          if (attempt >= 2) {
            notice(say("web_offline"));
            enableLastButtons();
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
        }
      }
    } finally {
      busy = false;
      idleFromNow();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || busy) return; // while an answer is awaited the text stays in the box
    input.value = "";
    send({ text }, text);
  });

  photoButton.addEventListener("click", () => { if (!busy) photoInput.click(); });
  photoInput.addEventListener("change", () => {
    const file = photoInput.files && photoInput.files[0];
    photoInput.value = ""; // the same picture may be chosen again later
    if (file) sendPhoto(file);
  });

  document.getElementById("viewer-close").addEventListener("click", closePicture);
  viewerImage.addEventListener("click", () => viewerImage.classList.toggle("zoomed"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !viewer.hidden) closePicture();
  });

  document.getElementById("new-person").addEventListener("click", () => {
    confirmBox.hidden = false;
    document.getElementById("confirm-no").focus();
  });
  document.getElementById("confirm-no").addEventListener("click", () => {
    confirmBox.hidden = true;
  });
  document.getElementById("confirm-yes").addEventListener("click", () => {
    if (!busy) endSession();
  });
  if (kiosk) { // closing or reloading the page ends its session as well
    window.addEventListener("pagehide", () => {
      if (session) post("/api/session/end", { session }, true).catch(() => {});
    });
  }

  // Messages that reach this learner from others (a mentor's nudge) arrive between turns.
  async function checkInbox() {
    if (busy || !session || document.hidden) return;
    try {
      const result = await post("/api/inbox", { session });
      if (result.status !== 200) return;
      showReplies(result.data.replies);
    } catch (error) { /* offline for now: the next check will bring them */ }
  }

  (async function begin() {
    // A mentor's invitation link (/?kem=KEM-7Q4X-M9PD) or another app's link code (/?kem=K7M4QX)
    // opens the chat with that code typed; nothing else a link holds is typed for the person
    // ("?kem=đồng ý" would agree for them, "?kem=1" press their first button).
    const linked = (new URLSearchParams(window.location.search).get("kem") || "").trim();
    const code = /^KEM-?[A-Z0-9]{4}(-?[A-Z0-9]{4})?$/i.test(linked)
      || /^(?=.*[A-Za-z])(?=.*[0-9])[A-Za-z0-9]{3}[ .-]?[A-Za-z0-9]{3}$/.test(linked) ? linked : "";
    if (!session) {
      await send({ payload: "start" });
    } else {
      try { history = JSON.parse(store.getItem("hocso-history") || "[]"); } catch (e) { history = []; }
      history.forEach((entry) => (entry.me ? bubble(entry.me, "me") : showReply(entry.bot, false)));
      scrollDown();
      if (!code) await send({ payload: "resume" });
    }
    if (linked) window.history.replaceState(null, "", window.location.pathname);
    if (code && session) await send({ text: code }, code);
    setInterval(checkInbox, 20000);
  })();
})();
