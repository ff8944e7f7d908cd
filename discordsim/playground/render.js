// Renders messages the way Discord's client does: content, embeds, legacy
// action rows and Components V2. Actions (clicks, selections) call
// env.click(message, customID) and env.select(message, customID, values).
"use strict";

const Render = (() => {
  const FLAG_EPHEMERAL = 1 << 6, FLAG_LOADING = 1 << 7, FLAG_COMPONENTS_V2 = 1 << 15;
  const el = (tag, cls, html) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (html !== undefined) e.innerHTML = html;
    return e;
  };
  const hex = (n) => "#" + Number(n).toString(16).padStart(6, "0");
  const avatarColour = (id) => ["#5865f2", "#3ba55d", "#faa61a", "#ed4245", "#eb459e", "#747f8d"][Number(BigInt(id || "0") % 6n)];

  function message(m, env) {
    const box = el("article", "message");
    box.dataset.id = m.id;
    if (m.ephemeral_to) box.classList.add("ephemeral");
    if (m.type === 6) { // CHANNEL_PINNED_MESSAGE
      box.classList.add("system");
      box.textContent = `📌 ${m.author.username} pinned a message to this channel.`;
      return box;
    }
    const avatar = el("div", "avatar", Markdown.esc((m.author.username || "?")[0].toUpperCase()));
    avatar.style.background = avatarColour(m.author.id);
    box.append(avatar);
    if (m.interaction_metadata) {
      const who = m.interaction_metadata.user ? env.ctx.user(m.interaction_metadata.user.id) : "someone";
      box.append(el("div", "used", `↳ ${Markdown.esc(who)} used ${m.interaction_metadata.name ? "/" + Markdown.esc(m.interaction_metadata.name) : "a component"}`));
    }
    const meta = el("div", "meta");
    meta.append(el("span", "author", Markdown.esc(m.author.username)));
    if (m.author.bot) meta.append(el("span", "bot-tag", "APP"));
    meta.append(el("time", "time", Markdown.esc(new Date(m.timestamp).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" }))));
    if (m.pinned) meta.append(el("span", "pinned-mark", "📌"));
    box.append(meta);
    if (m.flags & FLAG_LOADING) {
      box.append(el("div", "content", `<em>${Markdown.esc(m.author.username)} is thinking…</em>`));
    }
    if (m.content) {
      const c = el("div", "content", Markdown.render(m.content, env.ctx));
      // Discord marks edits after the text only; an embed or component
      // message shows its new state without a marker.
      if (m.edited_timestamp) c.append(el("span", "edited", " (edited)"));
      box.append(c);
    }
    for (const e of m.embeds || []) box.append(embed(e, env));
    if (m.components && m.components.length) {
      const wrap = el("div", "components");
      for (const c of m.components) wrap.append(component(c, m, env));
      box.append(wrap);
    }
    if (m.ephemeral_to) box.append(el("div", "ephemeral-note", "👁 Only you can see this"));
    return box;
  }

  function embed(e, env) {
    const box = el("div", "embed");
    if (e.color !== undefined && e.color !== null) box.style.borderLeftColor = hex(e.color);
    if (e.author && e.author.name) box.append(el("div", "e-author", Markdown.esc(e.author.name)));
    if (e.title) {
      const t = el("div", "e-title", Markdown.render(e.title, env.ctx));
      box.append(t);
    }
    if (e.description) box.append(el("div", "e-desc content", Markdown.render(e.description, env.ctx)));
    if (e.fields && e.fields.length) {
      const fs = el("div", "e-fields");
      for (const f of e.fields) {
        const fe = el("div", "e-field" + (f.inline ? " inline" : ""));
        fe.append(el("div", "e-field-name", Markdown.render(f.name, env.ctx)));
        fe.append(el("div", "e-field-value content", Markdown.render(f.value, env.ctx)));
        fs.append(fe);
      }
      box.append(fs);
    }
    const foot = [];
    if (e.footer && e.footer.text) foot.push(Markdown.esc(e.footer.text));
    if (e.timestamp) foot.push(Markdown.esc(new Date(e.timestamp).toLocaleString("en-GB")));
    if (foot.length) box.append(el("div", "e-footer", foot.join(" • ")));
    return box;
  }

  function emojiLabel(c) {
    const emoji = c.emoji && c.emoji.name ? (c.emoji.id ? `:${c.emoji.name}:` : c.emoji.name) + " " : "";
    return Markdown.esc(emoji + (c.label || ""));
  }

  function button(c, m, env) {
    if (c.style === 5) {
      const a = el("a", "c-button s5", emojiLabel(c));
      a.href = c.url; a.target = "_blank"; a.rel = "noopener";
      return a;
    }
    const b = el("button", `c-button s${c.style || 2}`, emojiLabel(c));
    b.type = "button";
    b.disabled = !!c.disabled;
    b.dataset.customId = c.custom_id || "";
    b.addEventListener("click", () => env.click(m, c.custom_id));
    return b;
  }

  // selectOptions lists what a select offers: its own options (type 3) or
  // the guild's members, roles or channels (types 5–8).
  function selectOptions(c, env) {
    switch (c.type) {
      case 3: return (c.options || []).map((o) => ({ value: o.value, label: (o.emoji && o.emoji.name ? o.emoji.name + " " : "") + o.label, selected: !!o.default }));
      case 5: return env.members().filter((u) => !u.bot).map((u) => ({ value: u.id, label: "@" + u.username }));
      case 6: return env.roles().map((r) => ({ value: r.id, label: "@" + r.name }));
      case 7: return env.members().map((u) => ({ value: u.id, label: "@" + u.username })).concat(env.roles().map((r) => ({ value: r.id, label: "@" + r.name })));
      case 8: return env.channels().filter((ch) => !c.channel_types || c.channel_types.includes(ch.type)).map((ch) => ({ value: ch.id, label: "#" + ch.name }));
    }
    return [];
  }

  function select(c, m, env) {
    const s = el("select", "c-select");
    s.dataset.customId = c.custom_id;
    s.disabled = !!c.disabled;
    const max = c.max_values ?? 1;
    const defaults = new Set((c.default_values || []).map((d) => d.id));
    if (max > 1) s.multiple = true;
    else s.append(new Option(c.placeholder || "Make a selection", "", true, defaults.size === 0));
    for (const o of selectOptions(c, env)) {
      s.append(new Option(o.label, o.value, false, o.selected || defaults.has(o.value)));
    }
    if (max > 1) {
      const wrap = el("div", "c-row");
      const apply = el("button", "c-button s1", "Choose");
      apply.type = "button";
      apply.disabled = s.disabled;
      apply.addEventListener("click", () => env.select(m, c.custom_id, [...s.selectedOptions].map((o) => o.value)));
      wrap.append(s, apply);
      return wrap;
    }
    s.addEventListener("change", () => { if (s.value) env.select(m, c.custom_id, [s.value]); });
    return s;
  }

  function media(url, alt, cls) {
    const img = el("img", cls);
    img.alt = alt || "";
    img.src = url || "";
    img.loading = "lazy";
    return img;
  }

  function component(c, m, env) {
    switch (c.type) {
      case 1: { // action row
        const row = el("div", "c-row");
        for (const child of c.components || []) row.append(component(child, m, env));
        return row;
      }
      case 2: return button(c, m, env);
      case 3: case 5: case 6: case 7: case 8: return select(c, m, env);
      case 9: { // section
        const sec = el("div", "c-section");
        const body = el("div", "c-section-body");
        for (const child of c.components || []) body.append(component(child, m, env));
        sec.append(body);
        if (c.accessory) sec.append(component(c.accessory, m, env));
        return sec;
      }
      case 10: return el("div", "c-text content", Markdown.render(c.content, env.ctx));
      case 11: return media(c.media && c.media.url, c.description, "c-thumb");
      case 12: {
        const g = el("div", "c-media");
        for (const it of c.items || []) g.append(media(it.media && it.media.url, it.description));
        return g;
      }
      case 13: return el("div", "c-file", "📎 " + Markdown.esc((c.file && c.file.url) || "file"));
      case 14: {
        const hr = el("hr", "c-separator");
        if (c.divider !== false) hr.classList.add("divider");
        if (c.spacing === 2) hr.classList.add("large");
        return hr;
      }
      case 17: { // container
        const box = el("div", "c-container");
        if (c.accent_color !== undefined && c.accent_color !== null) {
          box.classList.add("accent");
          box.style.borderLeftColor = hex(c.accent_color);
        }
        for (const child of c.components || []) box.append(component(child, m, env));
        return box;
      }
    }
    return el("div", "c-unknown", `[component type ${Markdown.esc(c.type)}]`);
  }

  return { message, FLAG_EPHEMERAL, FLAG_COMPONENTS_V2, selectOptions };
})();
