// Discord's markdown subset, rendered to HTML. Input is escaped first, so
// nothing the bot sends can inject markup. Mentions become names (never
// pings) through ctx: {user(id), role(id), channel(id)} returning names.
"use strict";

const Markdown = (() => {
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

  // Discord's <t:unix:style> formats.
  function formatTimestamp(unix, style) {
    const d = new Date(unix * 1000);
    const date = (o) => d.toLocaleDateString("en-GB", o);
    const time = (o) => d.toLocaleTimeString("en-GB", o);
    switch (style) {
      case "t": return time({ hour: "2-digit", minute: "2-digit" });
      case "T": return time();
      case "d": return date({ day: "2-digit", month: "2-digit", year: "numeric" });
      case "D": return date({ day: "numeric", month: "long", year: "numeric" });
      case "F": return date({ weekday: "long", day: "numeric", month: "long", year: "numeric" }) + " " + time({ hour: "2-digit", minute: "2-digit" });
      case "R": return relative(unix);
      default: return date({ day: "numeric", month: "long", year: "numeric" }) + " " + time({ hour: "2-digit", minute: "2-digit" });
    }
  }

  const rtf = new Intl.RelativeTimeFormat("en", { numeric: "always" });
  function relative(unix) {
    const diff = unix - Date.now() / 1000;
    const abs = Math.abs(diff);
    const units = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
    for (const [unit, secs] of units) {
      if (abs >= secs || unit === "second") return rtf.format(Math.round(diff / secs), unit);
    }
    return "";
  }

  // inline renders one line's inline markup. Code spans were already cut out.
  function inline(s, ctx) {
    s = s.replace(/&lt;t:(-?\d+)(?::([tTdDfFR]))?&gt;/g, (_, unix, style) =>
      `<span class="timestamp" data-unix="${unix}" data-style="${style || "f"}" title="${esc(formatTimestamp(+unix, "F"))}">${esc(formatTimestamp(+unix, style || "f"))}</span>`);
    s = s.replace(/&lt;@!?(\d+)&gt;/g, (_, id) => `<span class="mention" data-user="${id}">@${esc(ctx.user(id))}</span>`);
    s = s.replace(/&lt;@&amp;(\d+)&gt;/g, (_, id) => `<span class="mention" data-role="${id}">@${esc(ctx.role(id))}</span>`);
    s = s.replace(/&lt;#(\d+)&gt;/g, (_, id) => `<span class="mention" data-channel="${id}">#${esc(ctx.channel(id))}</span>`);
    s = s.replace(/&lt;\/([\w -]+):(\d+)&gt;/g, (_, name) => `<span class="mention">/${name}</span>`);
    s = s.replace(/&lt;a?:(\w+):\d+&gt;/g, (_, name) => `:${name}:`);
    s = s.replace(/@(everyone|here)\b/g, '<span class="mention">@$1</span>');
    s = s.replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>');
    s = s.replace(/(^|[\s(])(https?:\/\/[^\s<]+)/g, '$1<a href="$2" target="_blank" rel="noopener">$2</a>');
    s = s.replace(/\*\*\*(.+?)\*\*\*/g, "<strong><em>$1</em></strong>");
    s = s.replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>");
    s = s.replace(/__(.+?)__/g, "<u>$1</u>");
    s = s.replace(/(^|[^\w*])\*(?!\s)(.+?)\*(?!\w)/g, "$1<em>$2</em>");
    s = s.replace(/(^|[^\w])_(?!\s)(.+?)_(?!\w)/g, "$1<em>$2</em>");
    s = s.replace(/~~(.+?)~~/g, "<s>$1</s>");
    s = s.replace(/\|\|(.+?)\|\|/g, '<span class="spoiler">$1</span>');
    return s;
  }

  function render(text, ctx) {
    if (!text) return "";
    const codes = [];
    const keep = (html) => `\u0000${codes.push(html) - 1}\u0000`;
    let s = esc(text);
    s = s.replace(/```(?:[\w+-]*\n)?([\s\S]*?)```/g, (_, code) => keep(`<pre><code>${code.replace(/\n$/, "")}</code></pre>`));
    s = s.replace(/`([^`\n]+)`/g, (_, code) => keep(`<code>${code}</code>`));

    const out = [];
    let list = false;
    for (const line of s.split("\n")) {
      let m;
      const closeList = () => { if (list) { out.push("</ul>"); list = false; } };
      if ((m = line.match(/^(#{1,3}) (.+)$/))) {
        closeList();
        out.push(`<h${m[1].length}>${inline(m[2], ctx)}</h${m[1].length}>`);
      } else if ((m = line.match(/^-# (.+)$/))) {
        closeList();
        out.push(`<div class="subtext">${inline(m[1], ctx)}</div>`);
      } else if ((m = line.match(/^&gt; ?(.*)$/))) {
        closeList();
        out.push(`<blockquote>${inline(m[1], ctx)}</blockquote>`);
      } else if ((m = line.match(/^\s*[-*] (.+)$/))) {
        if (!list) { out.push("<ul>"); list = true; }
        out.push(`<li>${inline(m[1], ctx)}</li>`);
      } else {
        closeList();
        out.push(inline(line, ctx) + "<br>");
      }
    }
    if (list) out.push("</ul>");
    let html = out.join("").replace(/<br>$/, "");
    html = html.replace(/\u0000(\d+)\u0000/g, (_, i) => codes[+i]);
    return html;
  }

  // refreshRelative re-renders <t:…:R> timestamps so they stay true.
  function refreshRelative(root) {
    for (const el of root.querySelectorAll('.timestamp[data-style="R"]')) {
      el.textContent = relative(+el.dataset.unix);
    }
  }

  return { render, esc, formatTimestamp, refreshRelative };
})();
