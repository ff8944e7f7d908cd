package oracle

import "github.com/together-bot/together/core/i18n"

// Catalog holds every oracle text outside the content library
// (i18n.Catalogs). The archetypes themselves live in content/<locale>/.
var Catalog = i18n.Catalog{Module: Name, Messages: map[string]map[string]string{
	i18n.EN: {
		"oracle.purpose.channel": "Oracle dashboard",

		"oracle.cmd.description": "The weekly oracle: one relationship skill for the week",
		"oracle.cmd.status":      "Show this week's oracle, its channel and the next publish time",
		"oracle.cmd.publish_now": "Publish or refresh the oracle dashboard now (staff)",

		"oracle.card.title":     "Oracle of the week",
		"oracle.card.archetype": "**{title}** — {theme}",
		"oracle.card.intro":     "Not astrology: one practical skill for your relationship this week. Pick a tone and your situation, and you get a risk to watch, a step, a phrase to say, a thing to avoid and a small challenge. Only you see it.",
		"oracle.card.week":      "Week",
		"oracle.card.claims":    "Guidance claimed",
		"oracle.card.footer":    "{week} · a new oracle every Monday at {hour} ({zone})",

		"oracle.button.get":       "Get guidance",
		"oracle.button.about":     "What is this?",
		"oracle.button.ritual":    "Pair ritual",
		"oracle.button.claim":     "Get guidance",
		"oracle.button.dm":        "Send to my DMs",
		"oracle.button.dm_sent":   "Sent to your DMs",
		"oracle.button.pair":      "Send to our pair room",
		"oracle.button.pair_sent": "Sent to your pair room",

		"oracle.picker.prompt":  "How should it sound, and what is going on between you right now? Choose both, then press **Get guidance**. You get one guidance per week, so choose honestly.",
		"oracle.picker.tone":    "Tone",
		"oracle.picker.context": "Situation",

		"oracle.tone.soft":         "Soft",
		"oracle.tone.neutral":      "Neutral",
		"oracle.tone.direct":       "Direct",
		"oracle.tone_hint.soft":    "Gentle words, room to breathe",
		"oracle.tone_hint.neutral": "Plain and calm",
		"oracle.tone_hint.direct":  "Straight to the point",

		"oracle.context.conflict": "Conflict",
		"oracle.context.all_good": "All good",
		"oracle.context.routine":  "Routine",
		"oracle.context.distance": "Distance",
		"oracle.context.fatigue":  "Fatigue",
		"oracle.context.jealousy": "Jealousy",

		"oracle.guidance.head":      "🔮 **{title}** · {week}",
		"oracle.guidance.choice":    "Tone: {tone} · Situation: {context}",
		"oracle.guidance.risk":      "**Risk:** {text}",
		"oracle.guidance.step":      "**Step:** {text}",
		"oracle.guidance.say":       "**Say:** “{text}”",
		"oracle.guidance.avoid":     "**Avoid:** {text}",
		"oracle.guidance.challenge": "**Mini challenge:** {text}",

		"oracle.claim.new":   "Here is your guidance for this week. It stays the same all week; come back to it any time with **Get guidance**.",
		"oracle.claim.again": "You already drew this week's guidance — here it is again. A new one comes with next week's oracle.",

		"oracle.copy.dm_header":   "Your oracle guidance for this week:",
		"oracle.copy.pair_header": "{user} shares this week's oracle guidance:",

		"oracle.section.title":   "**Oracle of the week** · {week}",
		"oracle.section.claimed": "{user}: has claimed guidance ✓",
		"oracle.section.not_yet": "{user}: not yet",

		"oracle.about": "**What is the oracle?**\nEvery week the server gets one archetype — a way of looking at your relationship, like *Anchor* (staying steady) or *Bridge* (meeting halfway). It is the same for everyone here that week.\n\nPress **Get guidance**, pick a tone and the situation you are in, and you get five short things: a risk to watch, a step to take, a phrase to say, a thing to avoid and a mini challenge. Nobody else sees your choice. You get one guidance per week; you can send yourself a copy by DM (and, where pair rooms are on, share it in yours).\n\nIt is not fortune telling — just a small, concrete nudge.",

		"oracle.ritual.done": "Your pair panel in {room} now shows whether each of you has claimed this week's guidance. Claim yours, then compare notes there.",

		"oracle.status.text":          "**Oracle** — week {week} ({range})\nArchetype this week: **{archetype}**\nChannel: {channel}\nDashboard shows: {shown}\nNext publish: {next} ({zone}), {relative}",
		"oracle.status.no_channel":    "not set — choose one with /config",
		"oracle.status.not_published": "nothing yet",

		"oracle.publish.done": "The oracle dashboard for {week} is being published in {channel}. If the message was deleted, it is posted again; otherwise the existing one is updated.",

		"oracle.error.not_published": "The oracle has not been published on this server yet.",
		"oracle.error.stale_card":    "This oracle card is from another week. Press **Get guidance** on the current card.",
		"oracle.error.no_claim":      "You have not claimed guidance this week yet. Press **Get guidance** on the card first.",
		"oracle.error.already_sent":  "That copy was already sent — each copy goes out only once per week.",
		"oracle.error.no_room":       "Your pair's room is not ready yet. Try again in a minute.",
		"oracle.error.no_pairhome":   "Pair rooms are not available on this server.",
		"oracle.error.dm_failed":     "I could not send you a DM. Allow direct messages from server members and try again.",
		"oracle.error.pair_failed":   "I could not post in your pair room. Ask an admin to check my permissions there, then try again.",
	},
	i18n.RU: {
		"oracle.purpose.channel": "Панель оракула",

		"oracle.cmd.description": "Оракул недели: один навык для отношений на неделю",
		"oracle.cmd.status":      "Показать оракула этой недели, его канал и время следующей публикации",
		"oracle.cmd.publish_now": "Опубликовать или обновить панель оракула сейчас (для модераторов)",

		"oracle.card.title":     "Оракул недели",
		"oracle.card.archetype": "**{title}** — {theme}",
		"oracle.card.intro":     "Это не астрология, а один практичный навык для ваших отношений на эту неделю. Выберите тон и ситуацию — и получите риск, шаг, фразу, то, чего не делать, и маленький челлендж. Видите это только вы.",
		"oracle.card.week":      "Неделя",
		"oracle.card.claims":    "Получили подсказку",
		"oracle.card.footer":    "{week} · новый оракул каждый понедельник в {hour} ({zone})",

		"oracle.button.get":       "Получить подсказку",
		"oracle.button.about":     "Что это?",
		"oracle.button.ritual":    "Ритуал пары",
		"oracle.button.claim":     "Получить подсказку",
		"oracle.button.dm":        "Отправить мне в ЛС",
		"oracle.button.dm_sent":   "Отправлено в ЛС",
		"oracle.button.pair":      "Отправить в комнату пары",
		"oracle.button.pair_sent": "Отправлено в комнату пары",

		"oracle.picker.prompt":  "Каким тоном говорить и что сейчас происходит между вами? Выберите оба пункта и нажмите **Получить подсказку**. Подсказка одна на неделю, так что выбирайте честно.",
		"oracle.picker.tone":    "Тон",
		"oracle.picker.context": "Ситуация",

		"oracle.tone.soft":         "Мягко",
		"oracle.tone.neutral":      "Спокойно",
		"oracle.tone.direct":       "Прямо",
		"oracle.tone_hint.soft":    "Бережные слова, без давления",
		"oracle.tone_hint.neutral": "Просто и ровно",
		"oracle.tone_hint.direct":  "Сразу к сути",

		"oracle.context.conflict": "Ссора",
		"oracle.context.all_good": "Всё хорошо",
		"oracle.context.routine":  "Рутина",
		"oracle.context.distance": "Отдаление",
		"oracle.context.fatigue":  "Усталость",
		"oracle.context.jealousy": "Ревность",

		"oracle.guidance.head":      "🔮 **{title}** · {week}",
		"oracle.guidance.choice":    "Тон: {tone} · Ситуация: {context}",
		"oracle.guidance.risk":      "**Риск:** {text}",
		"oracle.guidance.step":      "**Шаг:** {text}",
		"oracle.guidance.say":       "**Фраза:** «{text}»",
		"oracle.guidance.avoid":     "**Чего не делать:** {text}",
		"oracle.guidance.challenge": "**Мини-челлендж:** {text}",

		"oracle.claim.new":   "Вот ваша подсказка на эту неделю. Она не изменится до конца недели — вернуться к ней можно в любой момент кнопкой **Получить подсказку**.",
		"oracle.claim.again": "Вы уже получили подсказку на эту неделю — вот она снова. Новая придёт со следующим оракулом.",

		"oracle.copy.dm_header":   "Ваша подсказка оракула на эту неделю:",
		"oracle.copy.pair_header": "{user} делится подсказкой оракула на эту неделю:",

		"oracle.section.title":   "**Оракул недели** · {week}",
		"oracle.section.claimed": "{user}: подсказка получена ✓",
		"oracle.section.not_yet": "{user}: пока нет",

		"oracle.about": "**Что такое оракул?**\nКаждую неделю сервер получает один архетип — взгляд на отношения, например *Якорь* (сохранять устойчивость) или *Мост* (идти навстречу). На этой неделе он общий для всех здесь.\n\nНажмите **Получить подсказку**, выберите тон и ситуацию — и получите пять коротких пунктов: риск, шаг, фразу, то, чего не делать, и мини-челлендж. Ваш выбор никто не видит. Подсказка одна на неделю; копию можно отправить себе в ЛС (а если на сервере есть комнаты пар — и в свою комнату).\n\nЭто не гадание, а маленький конкретный толчок.",

		"oracle.ritual.done": "Панель пары в {room} теперь показывает, получил ли каждый из вас подсказку на этой неделе. Получите свою и сверьтесь там.",

		"oracle.status.text":          "**Оракул** — неделя {week} ({range})\nАрхетип недели: **{archetype}**\nКанал: {channel}\nПанель показывает: {shown}\nСледующая публикация: {next} ({zone}), {relative}",
		"oracle.status.no_channel":    "не задан — выберите его через /config",
		"oracle.status.not_published": "пока ничего",

		"oracle.publish.done": "Панель оракула за {week} публикуется в {channel}. Если сообщение было удалено, оно появится снова; иначе обновится существующее.",

		"oracle.error.not_published": "Оракул на этом сервере ещё не публиковался.",
		"oracle.error.stale_card":    "Эта карточка оракула — с другой недели. Нажмите **Получить подсказку** на текущей карточке.",
		"oracle.error.no_claim":      "Вы ещё не получили подсказку на этой неделе. Сначала нажмите **Получить подсказку** на карточке.",
		"oracle.error.already_sent":  "Эта копия уже отправлена — каждая копия уходит только один раз за неделю.",
		"oracle.error.no_room":       "Комната вашей пары ещё не готова. Попробуйте через минуту.",
		"oracle.error.no_pairhome":   "Комнаты пар на этом сервере недоступны.",
		"oracle.error.dm_failed":     "Не получилось написать вам в ЛС. Разрешите личные сообщения от участников сервера и попробуйте снова.",
		"oracle.error.pair_failed":   "Не получилось написать в комнату пары. Попросите администратора проверить мои права там и попробуйте снова.",
	},
}}
