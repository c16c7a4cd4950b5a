"""Benchmark: reading submissions through the Telegram bot's webhook (issue 24) on N accounts, PostgreSQL, gunicorn.

    .venv/bin/python bench/bots.py [--accounts 100000] [--runs 3] [--clients 8] [--workers 4] [--seconds 15]
                                   [--keep] [--reuse] [--write]

1. Fresh database and bench/readings.py's city in bulk SQL (one organisation taking readings every day of the
   month, N accounts, a cold-water meter each with last month's accepted reading); each of the `--clients`
   subscribers has a user linked to an account and one Telegram chat linked to that user (a ChatLink), and the
   organisation a Telegram bot whose Bot API is a local recorder (abonent/bots/tests/fake_api.py) running in
   this process: aiogram's replies are real HTTP calls to 127.0.0.1, answered as Telegram documents.
2. HTTP: gunicorn (sync workers) with bench/pages_settings.py. Phase "submissions": each client, keep-alive, posts
   the last three steps of the conversation as Telegram posts them (JSON, the secret header) to
   /bots/telegram/<id>/webhook/: the meter's button (callback m:<id>), the value typed (a message), «Да, передать»
   (callback yes). ONE SUBMISSION = THESE THREE UPDATES, each parsed by aiogram, handled once (HandledUpdate),
   answered through aiogram (answerCallbackQuery + sendMessage for a button, sendMessage for the value: five Bot
   API calls per submission); the «Да» step saves through metering's readings_submit. A submission counts when
   its three answers are 200; the recorder's «… принято.» messages are counted too and must match. Phase
   "trivial": the same clients GET the trivial view (the load baseline of the same run).
3. The reply's share: aiogram's send of the «Да» step's answer (answerCallbackQuery + sendMessage with the menu)
   timed alone in this process against the recorder, next to the webhook's time per update.
   Target: ≥ 200 submissions/s at 100 000 accounts.
"""

import datetime as dt
import http.client
import json
import multiprocessing
import os
import statistics
import time

# This benchmark's own Redis database (recreate() empties it): not the one another benchmark or helper uses.
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")

import harness
from readings import generate, machine, manage, recreate, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/abonent_botsbench_bench"
TARGET = 200.0
HEADING = "## Bots: reading submissions through the webhook (issue 24)"
PORT = 8769
CHAT_BASE = 700_000_000
TOKEN = "123456:BENCH-token"


def prepare(accounts: int, users: int) -> list[dict]:
    """The city (or the one a --keep run left), the bot, a linked chat per client."""
    from abonent.bots.models import Bot, ChatLink, Messenger
    from abonent.metering.models import Meter, Reading
    from abonent.orgs.models import Organisation
    from abonent.users.models import AccountLink

    if accounts:
        generate(accounts, users)
    org = Organisation.objects.get(code="bench")
    bot, _ = Bot.objects.get_or_create(
        organisation=org, messenger=Messenger.TELEGRAM, defaults={"username": "bench_bot", "token": TOKEN}
    )
    clients = []
    links = AccountLink.objects.filter(user__username__startswith="bench").select_related("account").order_by("pk")
    for n, link in enumerate(links[:users]):
        chat = CHAT_BASE + n
        ChatLink.objects.update_or_create(bot=bot, chat_id=str(chat), defaults={"user_id": link.user_id, "state": {}})
        meter = Meter.objects.filter(premises_id=link.account.premises_id).values_list("pk", flat=True).first()
        last = max(Reading.objects.filter(meter_id=meter).values_list("value", flat=True), default=100)
        clients.append({"chat": chat, "meter": meter, "value": float(last) + 0.5, "n": n})
    return bot, clients


def _message(update_id: int, chat: int, text: str) -> dict:
    user = {"id": chat, "is_bot": False, "first_name": "Иван"}
    message = {"message_id": update_id, "date": 0, "chat": {"id": chat, "type": "private"}, "from": user}
    return {"update_id": update_id, "message": {**message, "text": text}}


def _button(update_id: int, chat: int, data: str) -> dict:
    user = {"id": chat, "is_bot": False, "first_name": "Иван"}
    query = {"id": f"cb{update_id}", "from": user, "chat_instance": "c", "data": data}
    return {"update_id": update_id, "callback_query": query}


def _post(conn, path: str, headers: dict, update: dict) -> tuple[int, float, bytes]:
    began = time.perf_counter()
    conn.request("POST", path, body=json.dumps(update, ensure_ascii=False).encode(), headers=headers)
    response = conn.getresponse()
    text = response.read()
    return response.status, (time.perf_counter() - began) * 1000, text


def _trivial(conn, headers) -> tuple[int, float, bytes]:
    began = time.perf_counter()
    conn.request("GET", harness.TRIVIAL)
    response = conn.getresponse()
    text = response.read()
    return response.status, (time.perf_counter() - began) * 1000, text


def client_loop(args):
    """One client: whole submissions (three updates) or trivial GETs until the deadline. Returns (latencies in ms
    of the successful submissions or requests, failures, first failure, latencies of the «Да» step alone)."""
    kind, client, bot, seconds, start_at, run = args
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=180)  # a worker's first request imports aiogram
    path = f"/bots/telegram/{bot['id']}/webhook/"
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": bot["secret"]}
    chat, value = client["chat"], client["value"] + run  # each run a cubic metre on from the last one
    update_id = int(start_at) * 10**9 + client["n"] * 10**7  # new ids in every phase, --reuse included
    latencies, confirms, failed, first_failure = [], [], 0, ""
    harness.wait_until(start_at)
    deadline = start_at + seconds
    while time.time() < deadline:
        if kind == "trivial":
            status, ms, text = _trivial(conn, headers)
            steps = [(status, ms, text)]
        else:
            value += 0.001  # a litre more each time: an ordinary month's consumption throughout
            typed = f"{value:.3f}".replace(".", ",")
            updates = [_button(update_id + 1, chat, f"m:{client['meter']}"), _message(update_id + 2, chat, typed),
                       _button(update_id + 3, chat, "yes")]  # fmt: skip
            update_id += 3
            steps = [_post(conn, path, headers, u) for u in updates]
        bad = [s for s in steps if s[0] != 200]
        if bad:
            failed += 1
            first_failure = first_failure or f"{kind} → {bad[0][0]} {bad[0][2][:200]!r}"
            continue
        latencies.append(sum(s[1] for s in steps))
        confirms.append(steps[-1][1])
    conn.close()
    return latencies, failed, first_failure, confirms


def phase(pool, kind: str, clients, bot: dict, seconds: float, run: int) -> dict:
    start_at = time.time() + 1
    results = pool.map(client_loop, [(kind, c, bot, seconds, start_at, run) for c in clients])
    found = harness.figures(results, seconds, kind)
    confirms = sorted(x for r in results for x in r[3])
    found["confirm_p95"] = confirms[int(len(confirms) * 0.95)] if confirms else 0.0
    return found


def accepted(recorder) -> int:
    """The «Показание … принято.» messages the bot sent (the recorder's count of real saves)."""
    sent = [c for c in recorder.messages() if c["method"] == "sendMessage"]
    return sum(1 for c in sent if str(c["fields"].get("text", "")).endswith("принято."))


def http_run(url: str, recorder, clients, bot: dict, workers: int, seconds: float, run: int) -> dict:
    # A worker's first request imports the URLconf and with it aiogram: on a loaded machine beyond gunicorn's 30 s.
    server = harness.gunicorn(url, PORT, workers, GUNICORN_CMD_ARGS="--timeout 180")
    with server, multiprocessing.Pool(len(clients)) as pool:
        pool.map(client_loop, [("trivial", c, bot, 1.0, time.time() + 0.5, run) for c in clients])  # warm up
        recorder.calls.clear()
        result = {"submissions": phase(pool, "submissions", clients, bot, seconds, run)}
        result["accepted"] = accepted(recorder)
        result["trivial"] = phase(pool, "trivial", clients, bot, seconds, run)
    return result


def reply_cost(bot_pk: int, client: dict, times: int = 20) -> dict:
    """ms in this process, one at a time: aiogram's answer to a button as abonent sends it (a new aiogram client
    each time), the same two calls on one kept client, and a submission's three updates through webhook.process
    with the answers sent and with them skipped (what answering in the webhook's HTTP response would save)."""
    import asyncio

    from abonent.bots import telegram, webhook
    from abonent.bots.messages import MENU, Reply
    from abonent.bots.models import Bot

    bot = Bot.objects.get(pk=bot_pk)
    chat, reply = client["chat"], [Reply("Показание 105,001 по счётчику № S1 принято.", MENU)]

    async def kept(n):
        async with telegram._client(bot) as aiogram:
            for k in range(n):
                await aiogram.answer_callback_query(f"cb-k{k}")
                await aiogram.send_message(chat, reply[0].text, reply_markup=telegram._markup(reply[0]))

    def timed(work) -> float:
        began = time.perf_counter()
        work()
        return (time.perf_counter() - began) * 1000 / times

    value, update_id = client["value"] + 100, int(time.time()) * 10**9 + 99 * 10**7

    def submissions():
        nonlocal value, update_id
        for _ in range(times):
            value += 0.001
            for update in (_button(update_id + 1, chat, f"m:{client['meter']}"),
                           _message(update_id + 2, chat, f"{value:.3f}".replace(".", ",")),
                           _button(update_id + 3, chat, "yes")):  # fmt: skip
                webhook.process(bot, update)
            update_id += 3

    found = {"new": timed(lambda: [telegram.send(bot, str(chat), reply, f"cb-{n}") for n in range(times)])}
    found["kept"] = timed(lambda: asyncio.run(kept(times)))
    found["with_send"] = timed(submissions)
    sending, telegram.send = telegram.send, lambda *a, **k: None  # a measurement only: the answers not sent
    try:
        found["without_send"] = timed(submissions)
    finally:
        telegram.send = sending
    return found


def report_run(n: int, r: dict) -> None:
    s, t = r["submissions"], r["trivial"]
    print(
        f"run {n}: {s['rate']:.0f} submissions/s ({s['rate'] * 3:.0f} updates/s), p50 {s['p50']:.0f} ms, "
        f"p95 {s['p95']:.0f} ms, «Да» step p95 {s['confirm_p95']:.0f} ms; {s['ok']} submitted, {r['accepted']} "
        f"«принято» sent, {s['failed']} failed {s['failures']}; trivial {t['rate']:.0f}/s p95 {t['p95']:.0f} ms",
        flush=True,
    )


def main() -> None:
    args = harness.arguments(__doc__, months=0)
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not args.reuse:
        recreate(url)
    try:
        if not args.reuse:
            manage(url, "migrate", "-v0")
        setup_django(url)
        from abonent.bots.tests import fake_api

        started = time.perf_counter()
        bot, clients = prepare(0 if args.reuse else args.accounts, args.clients)
        if args.reuse:
            args.accounts, _ = harness.city_size()
        generated = time.perf_counter() - started
        print(f"city of {args.accounts} accounts and {len(clients)} linked chats in {generated:.0f} s", flush=True)
        recorder = fake_api.start(fake_api.telegram_answer)
        bot.api_url = recorder.url
        bot.save(update_fields=["api_url"])
        cost = reply_cost(bot.pk, clients[-1])
        print(
            f"in this process, one at a time: aiogram's answer to a button (2 Bot API calls) {cost['new']:.0f} ms "
            f"with a new client as abonent sends it, {cost['kept']:.0f} ms on a kept client; a submission's 3 "
            f"updates through webhook.process {cost['with_send']:.0f} ms, {cost['without_send']:.0f} ms with "
            f"the answers not sent",
            flush=True,
        )
        from django.db import connection

        connection.close()  # the client processes are forked from this one
        runs = []
        for run in range(args.runs):
            recorder.calls.clear()
            runs.append(http_run(url, recorder, clients, {"id": bot.pk, "secret": bot.secret}, args.workers,
                                 args.seconds, run))  # fmt: skip
            report_run(run + 1, runs[-1])
        summary = summarise(runs, cost)
        print(
            f"median: {summary['rate']:.0f} submissions/s (≥ {TARGET:.0f}), p95 {summary['p95']:.0f} ms, "
            f"«Да» p95 {summary['confirm_p95']:.0f} ms, trivial {summary['trivial']:.0f}/s; "
            f"load {os.getloadavg()[0]:.1f}"
        )
        if args.write:
            record(args, runs, summary, generated)
    finally:
        if not args.keep:
            harness.drop_database(url)


def summarise(runs, cost: float) -> dict:
    def median(kind, key):
        return statistics.median(r[kind][key] for r in runs)

    return {
        "rate": median("submissions", "rate"),
        "p50": median("submissions", "p50"),
        "p95": median("submissions", "p95"),
        "confirm_p95": median("submissions", "confirm_p95"),
        "trivial": median("trivial", "rate"),
        "cost": cost,
    }


def record(args, runs, s, generated: float) -> None:
    def each(kind, key, fmt="{:.0f}"):
        return ", ".join(fmt.format(r[kind][key]) for r in runs)

    c = s["cost"]
    lines = [
        HEADING,
        "",
        f"`bench/bots.py --accounts {args.accounts} --runs {args.runs} --clients {args.clients} --workers "
        f"{args.workers} --seconds {args.seconds:g}` on {dt.datetime.now(dt.UTC):%d.%m.%Y %H:%M} UTC, {machine()}, "
        f"PostgreSQL, Redis, the clients and the Bot API recorder on the same machine; load average at the end "
        f"{os.getloadavg()[0]:.1f} (shared with other work: it shows in the figures). City in bulk SQL, "
        f"{generated:.0f} s.",
        "",
        "A submission is the conversation's last three updates posted to the webhook as Telegram posts them: the "
        "meter's button, the value typed, «Да, передать» (which saves through readings_submit); each is parsed "
        "by aiogram, recorded once, and answered through aiogram by real HTTP to a local recorder of the Bot API "
        "(five Bot API calls per submission).",
        "",
        "| what | runs | median | target |",
        "|---|---|---|---|",
        f"| submissions (3 updates each) per second | {each('submissions', 'rate')} | **{s['rate']:.0f}/s** | "
        f"≥ {TARGET:.0f}/s — {harness.met(s['rate'] >= TARGET)} |",
        f"| submission (3 updates), p95 | {each('submissions', 'p95', '{:.0f} ms')} | **{s['p95']:.0f} ms** "
        f"(p50 {s['p50']:.0f} ms) | — |",
        f"| «Да» step alone (the save), p95 | {each('submissions', 'confirm_p95', '{:.0f} ms')} | "
        f"{s['confirm_p95']:.0f} ms | — |",
        f"| «принято» answers the recorder got | {', '.join(str(r['accepted']) for r in runs)} | — | = submitted |",
        f"| trivial Django view, requests/s | {each('trivial', 'rate')} | {s['trivial']:.0f}/s | — |",
        f"| aiogram's answer to a button (answerCallbackQuery + sendMessage), in-process, one at a time: a new "
        f"client each time (as abonent sends) / one kept client | — | {c['new']:.0f} ms / {c['kept']:.0f} ms | — |",
        f"| a submission's 3 updates through webhook.process in-process: answers sent / not sent (as answering "
        f"in the webhook's HTTP response would) | — | {c['with_send']:.0f} ms / {c['without_send']:.0f} ms | — |",
    ]
    lines += [
        "",
        f"Where the time goes: abonent answers every update with a new aiogram client (asyncio.run, an aiohttp "
        f"session and its TLS context made and closed per update): {c['new']:.0f} ms for a button's two calls "
        f"against {c['kept']:.0f} ms on a kept client, and a submission takes {c['with_send']:.0f} ms with its "
        f"answers against {c['without_send']:.0f} ms without. Keeping one client per worker process, or answering "
        "the update in the webhook's HTTP response (Telegram allows one Bot API method there), is the first step "
        "towards the target; what remains is the dialog, which builds the readings page again for each of the three "
        "updates (readings.choice), and the save.",
    ]
    harness.write_section(HEADING, lines)


if __name__ == "__main__":
    main()
