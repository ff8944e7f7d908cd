// The playground: a Discord-like page over the emulator's control API.
// It keeps no world state of its own: every change announced on
// /_sim/events makes it re-read what the acting member may see.
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = {
  guilds: [], guildID: "", channelID: "", userID: "",
  view: null, // GET /_sim/guilds/{id}/view?as_user=
  commandPath: null, // the command chosen in the command bar
};

async function api(method, path, body) {
  const res = await fetch(path, {
    method, headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error((data && data.message) || `${method} ${path}: ${res.status}`);
  return data;
}

function notice(text, ok) {
  const n = $("#notice");
  n.textContent = text;
  n.className = ok ? "ok" : "";
  n.hidden = !text;
}

// ctx resolves mentions to names for Markdown.render.
const ctx = {
  user: (id) => (state.view && state.view.members.find((m) => m.id === id) || {}).username || "unknown-user",
  role: (id) => (state.view && state.view.roles.find((r) => r.id === id) || {}).name || "deleted-role",
  channel: (id) => (state.view && state.view.channels.find((c) => c.id === id) || {}).name || "unknown",
};

const env = {
  ctx,
  members: () => (state.view ? state.view.members : []),
  roles: () => (state.view ? state.view.roles.filter((r) => r.id !== state.guildID) : []),
  channels: () => (state.view ? state.view.channels.filter((c) => c.type !== 4) : []),
  click: (m, customID) => interact({ type: "component", message_id: m.id, custom_id: customID }),
  select: (m, customID, values) => interact({ type: "component", message_id: m.id, custom_id: customID, values }),
};

// interact sends an interaction as the acting member and shows what
// Discord's client would: nothing on success (the answer arrives as a
// message), "interaction failed" on timeout, and the modal on type 9.
async function interact(spec) {
  notice("");
  const full = Object.assign({ guild_id: state.guildID, channel_id: state.channelID, user_id: state.userID }, spec);
  try {
    const res = await api("POST", "/_sim/interactions", full);
    if (res.failed) { notice("This interaction failed: the app did not respond in time."); return; }
    const response = res.response || {};
    if (response.type === 9) openModal(response.data);
    await refreshMessages();
  } catch (err) {
    notice(err.message);
  }
}

// ---- guilds, channels and members ----------------------------------------

function saveHash() {
  const h = new URLSearchParams({ g: state.guildID, c: state.channelID, u: state.userID });
  history.replaceState(null, "", "#" + h.toString());
}

async function loadGuilds() {
  state.guilds = await api("GET", "/_sim/guilds");
  const nav = $("#guilds");
  nav.replaceChildren();
  for (const g of state.guilds) {
    const b = document.createElement("button");
    b.className = "guild" + (g.id === state.guildID ? " active" : "");
    b.dataset.id = g.id;
    b.title = g.name;
    b.textContent = g.name.split(/\s+/).map((w) => w[0]).join("").slice(0, 3);
    b.addEventListener("click", () => selectGuild(g.id));
    nav.append(b);
  }
}

async function selectGuild(id) {
  state.guildID = id;
  state.channelID = "";
  state.view = null;
  await loadGuilds();
  await refreshView();
}

async function refreshView() {
  if (!state.guildID) return;
  if (state.view === null || !state.userID) {
    // Pick a member to act as: keep the current one when still a member.
    const everyone = await api("GET", `/_sim/guilds/${state.guildID}/view`);
    const humans = everyone.members.filter((m) => !m.bot);
    if (!humans.some((m) => m.id === state.userID)) {
      state.userID = (humans.find((m) => m.admin && m.id !== everyone.guild.owner_id) || humans[0] || {}).id || "";
    }
  }
  state.view = await api("GET", `/_sim/guilds/${state.guildID}/view?as_user=${state.userID}`);
  $("#guild-name").textContent = state.view.guild.name + (state.view.bot_present ? "" : " (bot not here)");
  renderMembers();
  renderChannels();
  if (!state.view.channels.some((c) => c.id === state.channelID && c.type !== 4)) {
    const first = state.view.channels.find((c) => c.type !== 4);
    state.channelID = first ? first.id : "";
  }
  markActiveChannel();
  saveHash();
  await refreshMessages();
  // Commands, channels and members may have changed under the command bar.
  // Typed fields are left alone (the member may be typing in them); only
  // the pickers' lists are rebuilt.
  if (state.commandPath) refreshPickers();
  else if (!$("#command-suggestions").hidden) showSuggestions();
}

function renderMembers() {
  const sel = $("#member-select");
  sel.replaceChildren();
  for (const m of state.view.members.filter((m) => !m.bot)) {
    const label = m.username + (m.id === state.view.guild.owner_id ? " (owner)" : m.admin ? " (admin)" : "");
    sel.append(new Option(label, m.id, false, m.id === state.userID));
  }
  const parent = document.querySelector("#new-channel select[name=parent_id]");
  parent.replaceChildren(new Option("no category", ""));
  for (const c of state.view.channels.filter((c) => c.type === 4)) parent.append(new Option(c.name, c.id));
}

function renderChannels() {
  const box = $("#channels");
  box.replaceChildren();
  const chans = state.view.channels.slice().sort((a, b) => a.position - b.position);
  const addChannel = (c) => {
    const b = document.createElement("button");
    b.className = "channel";
    b.dataset.id = c.id;
    b.textContent = c.name;
    b.addEventListener("click", () => selectChannel(c.id));
    box.append(b);
  };
  for (const c of chans.filter((c) => c.type !== 4 && !c.parent_id)) addChannel(c);
  for (const cat of chans.filter((c) => c.type === 4)) {
    const h = document.createElement("div");
    h.className = "category";
    h.dataset.id = cat.id;
    h.textContent = cat.name;
    box.append(h);
    for (const c of chans.filter((c) => c.parent_id === cat.id)) addChannel(c);
  }
}

function markActiveChannel() {
  for (const b of document.querySelectorAll(".channel")) b.classList.toggle("active", b.dataset.id === state.channelID);
  const ch = state.view && state.view.channels.find((c) => c.id === state.channelID);
  $("#channel-name").textContent = ch ? ch.name : "no channel you can see";
  $("#channel-topic").innerHTML = ch && ch.topic ? Markdown.render(ch.topic.split("\n")[0], ctx) : "";
}

async function selectChannel(id) {
  state.channelID = id;
  markActiveChannel();
  saveHash();
  $("#pins").hidden = true;
  await refreshMessages();
}

// ---- messages ---------------------------------------------------------------

let messagesSeq = 0;
async function refreshMessages() {
  const box = $("#messages");
  if (!state.channelID) { box.replaceChildren(); return; }
  const seq = ++messagesSeq;
  const msgs = await api("GET", `/_sim/channels/${state.channelID}/messages?as_user=${state.userID}`);
  if (seq !== messagesSeq) return; // a newer refresh is under way
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren(...msgs.map((m) => Render.message(m, env)));
  if (atBottom || box.dataset.channel !== state.channelID) box.scrollTop = box.scrollHeight;
  box.dataset.channel = state.channelID;
  box.dataset.count = String(msgs.length);
  if (!$("#pins").hidden) renderPins(msgs);
}

function renderPins(msgs) {
  const pins = $("#pins");
  const pinned = msgs.filter((m) => m.pinned);
  pins.replaceChildren(...(pinned.length ? pinned.map((m) => Render.message(m, env)) : [Object.assign(document.createElement("div"), { textContent: "No pinned messages." })]));
}

$("#show-pins").addEventListener("click", async () => {
  $("#pins").hidden = !$("#pins").hidden;
  if (!$("#pins").hidden) renderPins(await api("GET", `/_sim/channels/${state.channelID}/messages?as_user=${state.userID}`));
});

$("#messages").addEventListener("click", (e) => {
  const sp = e.target.closest(".spoiler");
  if (sp) sp.classList.add("revealed");
  const ch = e.target.closest(".mention[data-channel]");
  if (ch && state.view.channels.some((c) => c.id === ch.dataset.channel)) selectChannel(ch.dataset.channel);
});

// ---- command bar ------------------------------------------------------------

// commandPaths flattens registered chat-input commands into runnable paths
// ("duel round start") with the options of the leaf.
function commandPaths() {
  const out = [];
  for (const c of (state.view && state.view.commands) || []) {
    if ((c.type || 1) !== 1) continue;
    const opts = c.options || [];
    const subs = opts.filter((o) => o.type === 1 || o.type === 2);
    if (!subs.length) { out.push({ path: c.name, description: c.description, options: opts, command: c }); continue; }
    for (const s of subs) {
      if (s.type === 1) { out.push({ path: `${c.name} ${s.name}`, description: s.description, options: s.options || [], command: c }); continue; }
      for (const leaf of s.options || []) {
        out.push({ path: `${c.name} ${s.name} ${leaf.name}`, description: leaf.description, options: leaf.options || [], command: c });
      }
    }
  }
  return out;
}

function showSuggestions() {
  const input = $("#command-input").value.replace(/^\//, "").trim().toLowerCase();
  const box = $("#command-suggestions");
  box.replaceChildren();
  if (!$("#command-input").value.startsWith("/")) { box.hidden = true; return; }
  const matches = commandPaths().filter((p) => p.path.startsWith(input) || p.path.includes(input)).slice(0, 25);
  for (const p of matches) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "suggestion";
    b.dataset.path = p.path;
    b.innerHTML = `/${Markdown.esc(p.path)}<span class="desc">${Markdown.esc(p.description || "")}</span>`;
    b.addEventListener("click", () => chooseCommand(p.path));
    box.append(b);
  }
  if (!matches.length) box.append(Object.assign(document.createElement("div"), { className: "suggestion", textContent: "No registered command matches." }));
  box.hidden = false;
}

function chooseCommand(path) {
  state.commandPath = path;
  $("#command-input").value = "/" + path;
  $("#command-suggestions").hidden = true;
  renderCommandOptions();
  $("#command-run").disabled = false;
  const first = document.querySelector("#command-options input, #command-options select");
  if (first) first.focus();
}

// optionField builds the input for one option, by Discord's option types.
function optionField(o) {
  const wrap = document.createElement("label");
  wrap.className = "opt" + (o.required ? " required" : "");
  wrap.append(Object.assign(document.createElement("span"), { textContent: o.name, title: o.description || "" }));
  let input;
  const pick = (items) => {
    const s = document.createElement("select");
    s.append(new Option(o.required ? "choose…" : "(none)", ""));
    for (const it of items) s.append(new Option(it.label, it.value));
    return s;
  };
  if (o.choices && o.choices.length) {
    input = pick(o.choices.map((c) => ({ label: c.name, value: String(c.value) })));
  } else {
    switch (o.type) {
      case 3:
        input = Object.assign(document.createElement("input"), { type: "text" });
        if (o.min_length !== undefined) input.minLength = o.min_length;
        if (o.max_length !== undefined) input.maxLength = o.max_length;
        break;
      case 4: case 10:
        input = Object.assign(document.createElement("input"), { type: "number", step: o.type === 4 ? "1" : "any" });
        if (o.min_value !== undefined) input.min = o.min_value;
        if (o.max_value !== undefined) input.max = o.max_value;
        break;
      case 5: input = pick([{ label: "True", value: "true" }, { label: "False", value: "false" }]); break;
      case 6: input = pick(env.members().filter((m) => !m.bot).map((m) => ({ label: "@" + m.username, value: m.id }))); break;
      case 7: input = pick(env.channels().filter((c) => !o.channel_types || o.channel_types.includes(c.type)).map((c) => ({ label: "#" + c.name, value: c.id })));
        if (!o.channel_types || o.channel_types.includes(4)) {
          for (const c of state.view.channels.filter((c) => c.type === 4)) input.append(new Option("📁 " + c.name, c.id));
        }
        break;
      case 8: input = pick(env.roles().map((r) => ({ label: "@" + r.name, value: r.id }))); break;
      case 9: input = pick(env.members().map((m) => ({ label: "@" + m.username, value: m.id })).concat(env.roles().map((r) => ({ label: "@" + r.name, value: r.id })))); break;
      default:
        input = Object.assign(document.createElement("input"), { type: "text", disabled: true, placeholder: "not supported here" });
    }
  }
  input.id = "opt-" + o.name;
  input.dataset.option = o.name;
  input.dataset.type = String(o.type);
  input.required = !!o.required;
  wrap.append(input);
  return wrap;
}

function renderCommandOptions() {
  const box = $("#command-options");
  const keep = {};
  for (const i of box.querySelectorAll("[data-option]")) keep[i.dataset.option] = i.value;
  box.replaceChildren();
  const p = commandPaths().find((p) => p.path === state.commandPath);
  if (!p) return;
  for (const o of p.options) {
    const f = optionField(o);
    const input = f.querySelector("[data-option]");
    if (keep[o.name] !== undefined) input.value = keep[o.name];
    box.append(f);
  }
}

// refreshPickers rebuilds the member, channel and role lists of the chosen
// command's options in place, keeping what was picked.
function refreshPickers() {
  const p = commandPaths().find((p) => p.path === state.commandPath);
  if (!p) return;
  for (const o of p.options) {
    const old = document.getElementById("opt-" + o.name);
    if (!old || old.tagName !== "SELECT" || (o.choices && o.choices.length) || ![6, 7, 8, 9].includes(o.type)) continue;
    const fresh = optionField(o).querySelector("select");
    const value = old.value;
    old.replaceChildren(...fresh.options);
    old.value = value;
  }
}

function optionValues() {
  const out = {};
  for (const i of document.querySelectorAll("#command-options [data-option]")) {
    if (i.value === "") continue;
    const t = +i.dataset.type;
    out[i.dataset.option] = t === 4 || t === 10 ? Number(i.value) : t === 5 ? i.value === "true" : i.value;
  }
  return out;
}

$("#command-input").addEventListener("input", () => {
  const p = $("#command-input").value.replace(/^\//, "").trim();
  if (state.commandPath && p !== state.commandPath) {
    state.commandPath = null;
    $("#command-options").replaceChildren();
    $("#command-run").disabled = true;
  }
  showSuggestions();
});
$("#command-input").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !state.commandPath) {
    e.preventDefault();
    const first = document.querySelector("#command-suggestions .suggestion[data-path]");
    if (first) chooseCommand(first.dataset.path);
  }
  if (e.key === "Escape") $("#command-suggestions").hidden = true;
});
$("#command-bar").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!state.commandPath) return;
  const form = $("#command-bar");
  if (!form.reportValidity()) return;
  const path = state.commandPath;
  const options = optionValues();
  state.commandPath = null;
  $("#command-input").value = "";
  $("#command-options").replaceChildren();
  $("#command-run").disabled = true;
  await interact({ type: "command", command: path, options });
});

// ---- modals -----------------------------------------------------------------

// openModal shows a modal the bot answered with (callback type 9).
function openModal(data) {
  const dlg = $("#modal");
  dlg.dataset.customId = data.custom_id;
  $("#modal-title").textContent = data.title || "";
  const body = $("#modal-body");
  body.replaceChildren();
  const field = (label, description, c) => {
    const f = document.createElement("div");
    f.className = "m-field";
    f.append(Object.assign(document.createElement("span"), { className: "m-label", textContent: label || "" }));
    if (description) f.append(Object.assign(document.createElement("span"), { className: "m-desc", textContent: description }));
    let input;
    if (c.type === 4) {
      input = document.createElement(c.style === 2 ? "textarea" : "input");
      if (c.style === 2) input.rows = 4;
      if (c.min_length !== undefined) input.minLength = c.min_length;
      if (c.max_length !== undefined) input.maxLength = c.max_length;
      input.placeholder = c.placeholder || "";
      input.value = c.value || "";
      input.required = c.required !== false;
    } else {
      input = document.createElement("select");
      const max = c.max_values ?? 1;
      if (max > 1) input.multiple = true; else input.append(new Option(c.placeholder || "Make a selection", ""));
      for (const o of Render.selectOptions(c, env)) input.append(new Option(o.label, o.value, false, o.selected));
      input.required = c.required !== false;
      input.dataset.select = "1";
    }
    input.dataset.customId = c.custom_id;
    f.append(input);
    return f;
  };
  for (const c of data.components || []) {
    if (c.type === 1) for (const inner of c.components || []) body.append(field(inner.label, "", inner));
    else if (c.type === 18) body.append(field(c.label, c.description, c.component));
    else if (c.type === 10) body.append(Object.assign(document.createElement("div"), { className: "content", innerHTML: Markdown.render(c.content, ctx) }));
  }
  dlg.showModal();
}

$("#modal-cancel").addEventListener("click", () => $("#modal").close());
$("#modal-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const dlg = $("#modal");
  const fields = {};
  for (const i of dlg.querySelectorAll("[data-custom-id]")) {
    fields[i.dataset.customId] = i.dataset.select ? [...i.selectedOptions].map((o) => o.value).filter(Boolean) : i.value;
  }
  dlg.close();
  await interact({ type: "modal", custom_id: dlg.dataset.customId, fields });
});

// ---- world editing ----------------------------------------------------------

$("#member-select").addEventListener("change", async (e) => {
  state.userID = e.target.value;
  await refreshView();
});

$("#new-member").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target;
  try {
    const { id } = await api("POST", `/_sim/guilds/${state.guildID}/members`, { username: f.username.value.trim(), admin: f.admin.checked });
    f.reset();
    state.userID = id;
    await refreshView();
    notice("Member added; you are acting as them now.", true);
  } catch (err) { notice(err.message); }
});

$("#new-channel").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target;
  try {
    const type = Number(f.type.value);
    await api("POST", `/_sim/guilds/${state.guildID}/channels`, { name: f.name.value.trim(), type, parent_id: type === 4 ? "" : f.parent_id.value });
    f.reset();
    await refreshView();
  } catch (err) { notice(err.message); }
});

// ---- side panel -------------------------------------------------------------

for (const b of document.querySelectorAll("#side-tabs button")) {
  b.addEventListener("click", () => {
    for (const o of document.querySelectorAll("#side-tabs button")) o.classList.toggle("active", o === b);
    for (const t of document.querySelectorAll(".tab")) t.hidden = t.id !== "tab-" + b.dataset.tab;
  });
}

async function refreshSide() {
  const [reqs, stats, violations, shards] = await Promise.all([
    api("GET", "/_sim/requests?limit=200"), api("GET", "/_sim/stats"), api("GET", "/_sim/violations"), api("GET", "/_sim/gateway/shards"),
  ]);
  $("#stats").textContent = `${stats.requests} requests · ${stats.rate_limited} × 429 · ${stats.spec_violations} spec violations · ${stats.interactions_failed} failed interactions`;
  const rows = reqs.slice().reverse().map((r) => {
    const tr = document.createElement("tr");
    tr.className = r.status === 429 ? "s429" : r.status >= 500 ? "s5xx" : r.status >= 400 ? "s4xx" : "";
    tr.title = r.body ? r.body.slice(0, 2000) + (r.body_truncated ? "\n… (cut, " + r.body_bytes + " bytes)" : "") : "";
    for (const [cls, v] of [["nowrap", new Date(r.time).toLocaleTimeString("en-GB")], ["nowrap", r.method], ["", r.route], ["nowrap", r.status]]) {
      tr.append(Object.assign(document.createElement("td"), { className: cls, textContent: v }));
    }
    return tr;
  });
  $("#requests tbody").replaceChildren(...rows);
  // Buckets: the latest X-RateLimit-* answer of each bucket.
  const buckets = new Map();
  for (const r of reqs) if (r.bucket) buckets.set(r.bucket, r);
  const head = document.createElement("tr");
  head.innerHTML = "<td><b>route</b></td><td><b>remaining</b></td><td><b>reset after</b></td>";
  $("#buckets tbody").replaceChildren(head, ...[...buckets.values()].map((r) => {
    const tr = document.createElement("tr");
    if (r.status === 429) tr.className = "s429";
    for (const v of [`${r.method} ${r.route}`, r.remaining, r.reset_after + " s"]) tr.append(Object.assign(document.createElement("td"), { textContent: v }));
    return tr;
  }));
  $("#violations").replaceChildren(...(violations.length ? violations.map((v) => Object.assign(document.createElement("div"), {
    className: "violation", textContent: `${v.method} ${v.route} ${v.pointer}: ${v.message}`,
  })) : [Object.assign(document.createElement("div"), { textContent: "No spec violations." })]));
  $("#shards").textContent = JSON.stringify(shards, null, 1);
}

for (const b of document.querySelectorAll("#faults [data-fault]")) {
  b.addEventListener("click", async () => {
    try { await api("POST", "/_sim/faults", JSON.parse(b.dataset.fault)); notice("Fault injected: " + b.textContent, true); } catch (err) { notice(err.message); }
  });
}
$("#clear-faults").addEventListener("click", async () => { await api("DELETE", "/_sim/faults"); notice("Faults cleared.", true); });

// ---- live updates -----------------------------------------------------------

function debounce(fn, ms) {
  let t = null;
  return () => { clearTimeout(t); t = setTimeout(() => fn().catch((err) => console.error(err)), ms); };
}
const soonMessages = debounce(refreshMessages, 30);
const soonView = debounce(refreshView, 60);
const soonSide = debounce(refreshSide, 300);

function listen() {
  const es = new EventSource("/_sim/events");
  es.onopen = () => { soonView(); soonSide(); };
  es.onmessage = (e) => {
    const ev = JSON.parse(e.data);
    if (ev.type === "REQUEST") {
      soonSide();
      if (ev.route && ev.route.includes("/commands") && ev.method !== "GET") soonView(); // registrations feed the command bar
      return;
    }
    if (ev.type.startsWith("MESSAGE_") || ev.type === "CHANNEL_PINS_UPDATE") {
      if (ev.channel_id === state.channelID && (!ev.ephemeral_to || ev.ephemeral_to === state.userID)) soonMessages();
      return;
    }
    if (ev.type === "INTERACTION_CREATE") return; // its answer comes as messages
    if (ev.type === "GUILD_CREATE") { loadGuilds(); return; }
    if (ev.guild_id === state.guildID) soonView();
  };
}

setInterval(() => Markdown.refreshRelative(document), 10000);

async function start() {
  const h = new URLSearchParams(location.hash.slice(1));
  await loadGuilds();
  state.guildID = h.get("g") || (state.guilds[0] && state.guilds[0].id) || "";
  state.userID = h.get("u") || "";
  await loadGuilds();
  await refreshView();
  if (h.get("c") && state.view.channels.some((c) => c.id === h.get("c"))) await selectChannel(h.get("c"));
  listen();
  await refreshSide();
  document.body.dataset.ready = "1";
}
start().catch((err) => { notice(err.message); console.error(err); });
