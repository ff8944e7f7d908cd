package raid

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// quest is one entry of the quest library.
type quest struct {
	Key        string
	Category   string
	Difficulty string // easy, medium, hard
	Points     int
	EN, RU     string
}

// Text is the quest in the locale's language.
func (q quest) Text(locale string) string {
	if locale == "ru" {
		return q.RU
	}
	return q.EN
}

// library is the quest library shipped with the module. LoadLibrary
// upserts it by key, so editing a text or a point value here and deploying
// updates every guild; removing an entry leaves its row (claims refer to
// it) for an operator to retire with active = false.
var library = []quest{
	{"thank_you_note", "gratitude", "easy", 8,
		"Write your partner a short note about one thing they did this week that made your life easier — and say thank you for it.",
		"Напишите партнёру короткую записку о том, что он(а) сделал(а) на этой неделе и что облегчило вам жизнь, — и скажите спасибо."},
	{"phone_free_dinner", "connection", "easy", 10,
		"Share one meal or one cup of tea with both phones in another room. Talk about anything but work.",
		"Проведите один приём пищи или одно чаепитие, оставив оба телефона в другой комнате. Говорите о чём угодно, кроме работы."},
	{"evening_walk", "health", "easy", 10,
		"Take a 20-minute walk together. Each of you points out one small beautiful thing on the way.",
		"Прогуляйтесь вместе 20 минут. Пусть каждый по дороге покажет другому одну маленькую красивую деталь."},
	{"three_good_things", "gratitude", "easy", 7,
		"Before sleep, each of you names three good things from today, however small.",
		"Перед сном пусть каждый назовёт три хороших события сегодняшнего дня, даже самых маленьких."},
	{"daily_checkin", "connection", "easy", 8,
		"Ask each other: “What was the hardest moment of your day?” Listen to the end without giving advice.",
		"Спросите друг друга: «Какой момент сегодня был самым трудным?» Выслушайте до конца и не давайте советов."},
	{"breathe_together", "calm", "easy", 6,
		"Sit side by side and breathe slowly together for three minutes: in for four counts, out for six.",
		"Сядьте рядом и три минуты медленно дышите вместе: вдох на четыре счёта, выдох на шесть."},
	{"favourite_song", "fun", "easy", 6,
		"Play each other a song that means something to you and tell the story behind it.",
		"Включите друг другу песню, которая для вас что-то значит, и расскажите связанную с ней историю."},
	{"kind_message_midday", "connection", "easy", 6,
		"Send your partner an unexpected kind message in the middle of the day — no reason needed.",
		"Отправьте партнёру неожиданное тёплое сообщение посреди дня — без всякого повода."},
	{"take_a_chore", "support", "easy", 9,
		"Quietly take over one chore your partner usually does, and do it well.",
		"Незаметно возьмите на себя одно домашнее дело, которое обычно делает партнёр, и сделайте его хорошо."},
	{"compliment_specific", "gratitude", "easy", 7,
		"Give your partner a compliment about something specific they did, not how they look.",
		"Сделайте партнёру комплимент о конкретном поступке, а не о внешности."},
	{"cook_together", "ritual", "medium", 18,
		"Cook a meal together from a recipe neither of you has tried. Split the tasks and taste as you go.",
		"Приготовьте вместе блюдо по рецепту, который никто из вас ещё не пробовал. Разделите задачи и пробуйте по ходу."},
	{"repair_talk", "repair", "medium", 22,
		"Pick one small recent disagreement. Each of you says, without interrupting, what you felt and what you needed then.",
		"Выберите одно небольшое недавнее разногласие. По очереди, не перебивая, расскажите, что вы тогда чувствовали и в чём нуждались."},
	{"week_plan", "planning", "medium", 15,
		"Sit down for 15 minutes and plan the coming days together: who does what, and one thing to look forward to.",
		"Сядьте на 15 минут и вместе спланируйте ближайшие дни: кто что делает и чего вы оба будете ждать с радостью."},
	{"memory_lane", "connection", "medium", 16,
		"Look through old photos together and each tell the story of one moment you still smile about.",
		"Посмотрите вместе старые фотографии, и пусть каждый расскажет об одном моменте, от которого до сих пор улыбается."},
	{"dream_swap", "values", "medium", 18,
		"Each of you shares one dream for the next year. Ask one curious question about the other's dream.",
		"Поделитесь друг с другом одной мечтой на следующий год. Задайте один любопытный вопрос о мечте партнёра."},
	{"support_plan", "support", "medium", 20,
		"Ask: “What would make your hardest day this week a little lighter?” Then do that one thing.",
		"Спросите: «Что сделало бы твой самый трудный день на этой неделе хоть немного легче?» — и сделайте это."},
	{"boundary_check", "boundaries", "medium", 17,
		"Each of you names one thing you need more space or quiet for, and agree on how to protect it this week.",
		"Пусть каждый назовёт, для чего ему нужно больше пространства или тишины, и договоритесь, как сберечь это на этой неделе."},
	{"love_languages", "connection", "medium", 15,
		"Tell each other which gesture makes you feel most loved lately — words, time, help, touch or gifts — and why.",
		"Расскажите друг другу, какой знак внимания в последнее время даёт вам больше всего любви — слова, время, помощь, прикосновения или подарки — и почему."},
	{"money_talk", "planning", "hard", 26,
		"Have a calm 30-minute talk about money: one worry, one shared goal and one small step toward it.",
		"Спокойно поговорите о деньгах 30 минут: одна тревога, одна общая цель и один маленький шаг к ней."},
	{"date_night", "ritual", "hard", 28,
		"Plan and have a real date, even at home: dress up a little, set the table, and make it just about the two of you.",
		"Спланируйте и проведите настоящее свидание, пусть даже дома: немного принарядитесь, накройте стол — и пусть этот вечер будет только о вас двоих."},
	{"letter_to_future", "values", "hard", 25,
		"Write a letter together to yourselves one year from now: what you hope for, what you're proud of, what you promise.",
		"Напишите вместе письмо самим себе через год: на что надеетесь, чем гордитесь, что обещаете."},
	{"new_together", "fun", "hard", 24,
		"Try something new for both of you: a class, a hobby, a dish from another country or a place you've never been.",
		"Попробуйте что-то новое для вас обоих: занятие, хобби, блюдо другой страны или место, где вы никогда не были."},
	{"family_call", "family", "medium", 16,
		"Call someone from either family together and ask them about a happy memory of theirs.",
		"Позвоните вместе кому-нибудь из родных и расспросите его о счастливом воспоминании."},
	{"appreciation_round", "gratitude", "medium", 14,
		"Take turns finishing the sentence “I appreciate that you…” until each of you has said five.",
		"По очереди заканчивайте фразу «Я ценю, что ты…», пока каждый не скажет пять раз."},
}

// libraryByKey is library indexed.
var libraryByKey = func() map[string]quest {
	m := make(map[string]quest, len(library))
	for _, q := range library {
		m[q.Key] = q
	}
	return m
}()

// LoadLibrary upserts the shipped quests by key. It is idempotent and runs
// lazily before the first write that needs quests (constructors do no I/O).
func (s *service) LoadLibrary(ctx context.Context) error {
	if s.libraryLoaded.Load() {
		return nil
	}
	err := s.DB.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for _, q := range library {
			if _, err := tx.ExecContext(ctx, `INSERT INTO raid_quests (key, category, difficulty, points, text_en, text_ru)
				VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (key) DO UPDATE SET category = EXCLUDED.category, difficulty = EXCLUDED.difficulty,
					points = EXCLUDED.points, text_en = EXCLUDED.text_en, text_ru = EXCLUDED.text_ru, updated_at = now()
				WHERE (raid_quests.category, raid_quests.difficulty, raid_quests.points, raid_quests.text_en, raid_quests.text_ru)
					IS DISTINCT FROM (EXCLUDED.category, EXCLUDED.difficulty, EXCLUDED.points, EXCLUDED.text_en, EXCLUDED.text_ru)`,
				q.Key, q.Category, q.Difficulty, q.Points, q.EN, q.RU); err != nil {
				return fmt.Errorf("raid: upsert quest %s: %w", q.Key, err)
			}
		}
		return nil
	})
	if err == nil {
		s.libraryLoaded.Store(true)
	}
	return err
}

// questText is a quest's text for messages that only have its key; a key
// no longer shipped shows as itself.
func questText(key, locale string) string {
	if q, ok := libraryByKey[key]; ok {
		return q.Text(locale)
	}
	return key
}
