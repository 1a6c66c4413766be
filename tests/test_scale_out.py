"""Scale-out: two web processes and two Celery workers share nothing but PostgreSQL and Redis.

The test starts what `make prod` starts, through the same launcher (deploy/processes.py,
Procfile.prod, honcho), in production mode: two gunicorn processes on two ports, two
Celery workers and the one beat, as real subprocesses. They run against a database of
their own (peertables_scaleout_<random>, migrated by the launcher, dropped at the end),
the next Redis database after REDIS_URL's (or SCALE_OUT_REDIS_URL) with a cache prefix
of their own, and an SMTP sink (aiosmtpd) in this process. It shows that

- a member who signs in through allauth's form on web 1 is signed in on web 2;
- a reply posted through web 1 reaches the live thread's poll on web 2;
- a due reminder swept by both workers at once goes out once per member;
- an invitation resent through web 1 is refused on web 2 (the rate limit's count is
  in the shared cache), and its recipient gets one email.

Runs where DATABASE_URL is PostgreSQL and REDIS_URL is set (CI); skipped otherwise. The
launcher's checks and the Procfile's shape are tested everywhere, at the end.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

# The web processes check the passwords these tests set: hash them as production does.
pytestmark = pytest.mark.real_passwords

ROOT = Path(__file__).resolve().parent.parent
SITE_HOST = "peertables.test"  # what the load balancer would pass on as Host
ORIGIN = f"https://{SITE_HOST}"
READY_SECONDS = 90
SWEEP = "notifications.tasks.send_due_reminders"


# --- The services -------------------------------------------------------------------------


def _service_urls() -> tuple[str, str]:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres"):
        pytest.skip("needs PostgreSQL (set DATABASE_URL): the processes share one database")
    if not redis_url:
        pytest.skip("needs Redis (set REDIS_URL): the processes share its broker and cache")
    return database_url, redis_url


def _next_redis_db(redis_url: str) -> str:
    """REDIS_URL's server, the next database: pytest's own cache and broker stay untouched."""
    if os.environ.get("SCALE_OUT_REDIS_URL"):
        return os.environ["SCALE_OUT_REDIS_URL"]
    parts = urllib.parse.urlsplit(redis_url)
    current = int(parts.path.strip("/") or 0)
    return parts._replace(path=f"/{(current + 1) % 16}").geturl()


@pytest.fixture
def scale_out_database() -> Iterator[str]:
    import psycopg

    database_url, _ = _service_urls()
    name = f"peertables_scaleout_{secrets.token_hex(4)}"
    server = urllib.parse.urlsplit(database_url)
    admin_url = server._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port_pair() -> int:
    """A port P with P+1 also free: honcho gives the two web processes consecutive ports."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            if port >= 65535:
                continue
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise RuntimeError("no two consecutive free ports")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailSink:
    """An SMTP server both workers send to, as they would to the real one."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def subjects_by_recipient(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for recipients, content in list(self.messages):
            subject = str(message_from_bytes(content)["Subject"])
            for recipient in recipients:
                found.setdefault(recipient, []).append(subject)
        return found


@pytest.fixture
def mail_sink() -> Iterator[tuple[MailSink, int]]:
    from aiosmtpd.controller import Controller

    sink = MailSink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


# --- The processes ---------------------------------------------------------------------------


@dataclass
class Processes:
    """The launcher (honcho) and everything it started; its output goes to one log file."""

    launcher: subprocess.Popen
    log_path: Path
    env: dict[str, str]
    web_ports: list[int]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def lines_of(self, process: str) -> list[str]:
        # honcho prefixes every line: "19:29:36 worker.1 | ...".
        return [
            line.split("| ", 1)[1]
            for line in self.log().splitlines()
            if re.match(rf"^\S+ {re.escape(process)}\s+\| ", line)
        ]

    def wait_until(self, what: str, condition: Callable[[], bool], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            if self.launcher.poll() is not None:
                break
            time.sleep(0.2)
        state = "running" if self.launcher.poll() is None else f"exited {self.launcher.returncode}"
        pytest.fail(f"{what}: not within {seconds:.0f} s (launcher {state})\n{self.log()[-8000:]}")

    def manage(self, *code: str) -> str:
        """Run Python with Django set up, in the processes' own environment; its last line."""
        script = "import django; django.setup()\n" + "\n".join(code)
        done = subprocess.run(  # noqa: S603 - our interpreter, our code
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr[-4000:]
        return done.stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        if self.launcher.poll() is None:
            self.launcher.send_signal(signal.SIGTERM)  # honcho stops every process it started
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.launcher.wait(timeout=30)
        # Whatever survived: each process group honcho started, then the launcher's own.
        groups = [int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", self.log())]
        for group in [*groups, self.launcher.pid]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        self.launcher.wait(timeout=10)


def _forget_cache(redis_url: str, prefix: str) -> None:
    """Drop this run's cache keys (sessions, counters): the prefix is this run's alone."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def _healthy(port: int) -> bool:
    try:
        response = Browser().request(port, "GET", "/healthz")
    except OSError:
        return False
    return response.status == 200


@pytest.fixture
def processes(scale_out_database, mail_sink, tmp_path) -> Iterator[Processes]:
    from deploy.processes import plan_for, production_environ

    _, redis_url = _service_urls()
    _, smtp_port = mail_sink
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_ENV", "REDIS_CACHE_URL", "EMAIL_HOST", "MEDIA_ROOT"}
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS=SITE_HOST,
        SITE_URL=ORIGIN,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        DATABASE_URL=scale_out_database,
        REDIS_URL=_next_redis_db(redis_url),
        CACHE_KEY_PREFIX=f"scaleout-{secrets.token_hex(4)}",
        VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
        HOST="127.0.0.1",
        PORT=str(_free_port_pair()),
        WEB_PROCESSES="2",
        WORKER_PROCESSES="2",
        BEAT_PROCESSES="1",
        WEB_WORKERS="1",  # one gunicorn worker and one task process each: 2 cores in CI
        WORKER_CONCURRENCY="1",
        LOG_LEVEL="INFO",
    )
    plan = plan_for(env)
    log_path = tmp_path / "processes.log"
    with log_path.open("wb") as log:
        launcher = subprocess.Popen(  # noqa: S603 - what `make prod` runs
            [sys.executable, "-m", "deploy.processes", "start"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    child_env = production_environ(env)
    child_env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    running = Processes(launcher, log_path, child_env, plan.web_ports)
    try:
        for name in ("worker.1", "worker.2"):
            running.wait_until(
                f"{name} ready",
                lambda name=name: any(" ready." in line for line in running.lines_of(name)),
                READY_SECONDS,
            )
        for port in running.web_ports:
            running.wait_until(f"web on {port}", lambda port=port: _healthy(port), READY_SECONDS)
        yield running
    finally:
        running.stop()
        _forget_cache(env["REDIS_URL"], env["CACHE_KEY_PREFIX"])
        print(f"--- what the processes printed ({log_path}) ---\n{running.log()[-20000:]}")


# --- A browser without a browser ---------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str


@dataclass
class Browser:
    """Cookies kept across requests and across processes, as a browser behind one address would.

    Every request says it came through the TLS-terminating proxy (X-Forwarded-Proto,
    SECURE_PROXY_SSL_HEADER), so production's secure cookies and SSL redirect hold.
    """

    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        port: int,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        sent = {"Host": SITE_HOST, "X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": ORIGIN,
                    "Referer": ORIGIN + path,
                }
            )
        connection = HTTPConnection("127.0.0.1", port, timeout=15)
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            text = answer.read().decode("utf-8", errors="replace")
            for header in answer.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, text)
        finally:
            connection.close()

    def get(self, port: int, path: str, **kwargs) -> Response:
        return self.request(port, "GET", path, **kwargs)

    def post(self, port: int, path: str, form: dict[str, str], **kwargs) -> Response:
        return self.request(port, "POST", path, form=form, **kwargs)


def _form_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


# --- The data ----------------------------------------------------------------------------------

READER_NAME = "Ada Quorum"
READER_PASSWORD = "a long passphrase for the scale-out test"
INVITED = "stranger@example.com"


def seed() -> None:
    """Run inside the processes' database (Processes.manage): print what the test needs."""
    from django.urls import reverse

    from circles.models import Role
    from tests.circles.factories import InvitationFactory
    from tests.conversations.factories import PostFactory, ReplyFactory
    from tests.factories import CircleFactory, MembershipFactory, UserFactory
    from tests.notifications.conftest import make_table

    circle = CircleFactory()
    reader = UserFactory(display_name=READER_NAME, password=READER_PASSWORD)
    MembershipFactory(circle=circle, user=reader, role=Role.HOST)
    author = UserFactory()
    MembershipFactory(circle=circle, user=author)
    post = PostFactory(circle=circle, author=author)
    first_reply = ReplyFactory(post=post, author=author)
    invitation = InvitationFactory(circle=circle, invited_by=reader, email=INVITED)
    # Another circle whose meeting is two hours away: its 24-hour reminder is due now.
    table = make_table(members=3, starts_in=dt.timedelta(hours=2))
    print(
        json.dumps(
            {
                "reader": reader.email,
                "post_path": post.get_absolute_url(),
                "first_reply": first_reply.pk,
                "invitations_path": reverse("circles:invitations", args=[circle.slug]),
                "resend_path": reverse(
                    "circles:invitation_resend", args=[circle.slug, invitation.pk]
                ),
                "meeting": table.meeting.pk,
                "reminded": [user.email for user in table.everyone],
            }
        )
    )


def ledger(database_url: str, meeting: int) -> Counter[tuple[str, str]]:
    import psycopg

    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT u.email, d.state FROM notifications_delivery d"
            " JOIN members_user u ON u.id = d.user_id"
            " WHERE d.meeting_id = %s AND d.kind = 'reminder'",
            (meeting,),
        ).fetchall()
    return Counter((email, state) for email, state in rows)


# --- The test -----------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_two_web_processes_and_two_workers_share_sessions_threads_reminders_and_limits(
    processes, mail_sink
):
    sink, _ = mail_sink
    web1, web2 = processes.web_ports
    data = json.loads(processes.manage("from tests.test_scale_out import seed", "seed()"))

    # (c) first, so the workers sweep while the web half runs: the sweep queued twice
    # through the real broker, as beat firing on top of a manual run would.
    from celery import Celery

    with Celery("scale-out-test", broker=processes.env["REDIS_URL"]) as client:
        for _ in range(2):
            client.send_task(SWEEP)

    # (a) Sign in through allauth's form on web 1, with its CSRF token.
    browser = Browser()
    login = browser.get(web1, "/accounts/login/")
    assert login.status == 200, login.text[:2000]
    token = _form_token(login.text)
    signed_in = browser.post(
        web1,
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "login": data["reader"], "password": READER_PASSWORD},
    )
    assert signed_in.status == 302, signed_in.text[:2000]
    assert "sessionid" in browser.cookies
    # Web 2 never saw that sign-in; it reads the session from the shared store.
    thread = browser.get(web2, data["post_path"])
    assert thread.status == 200, thread.text[:2000]
    assert READER_NAME in thread.text
    stranger = Browser().get(web2, data["post_path"])
    assert stranger.status == 404, "a circle's thread is for its members: outsiders get a 404"
    assert READER_NAME not in stranger.text

    # (b) A reply posted through web 1 (htmx, as the page sends it) reaches web 2's poll.
    poll = f"{data['post_path']}replies/?after={data['first_reply']}"
    htmx = {"HX-Request": "true"}
    assert browser.get(web2, poll, headers=htmx).status == 204  # nothing new yet
    csrf = re.search(r'"x-csrftoken": "([^"]+)"', thread.text).group(1)
    words = f"Answered on one process, read on the other ({secrets.token_hex(3)})."
    posted = browser.post(
        web1,
        f"{data['post_path']}replies/new/",
        {"body": words, "after": str(data["first_reply"])},
        headers={**htmx, "X-CSRFToken": csrf},
    )
    assert posted.status == 200, posted.text[:2000]
    assert words in posted.text
    polled = browser.get(web2, poll, headers=htmx)
    assert polled.status == 200, (
        f"web 2's poll missed the reply web 1 answered with:\n{posted.text}"
    )
    assert words in polled.text

    # (c) Both sweeps done: each worker ran one, and each member got one reminder.
    def sweeps_done() -> list[str]:
        return [
            name
            for name in ("worker.1", "worker.2")
            for line in processes.lines_of(name)
            if re.search(rf"Task {re.escape(SWEEP)}\[[^\]]+\] succeeded", line)
        ]

    # (d) An invitation resent through web 1 may not be resent through web 2 for an hour.
    invitations = browser.get(web1, data["invitations_path"])
    assert invitations.status == 200, invitations.text[:2000]
    form = {"csrfmiddlewaretoken": _form_token(invitations.text)}
    resend = data["resend_path"]
    assert browser.post(web1, resend, form).status == 302
    assert f"The invitation to {INVITED} was sent again." in (
        browser.get(web1, data["invitations_path"]).text
    )
    refused = browser.post(web2, resend, form)
    assert refused.status == 302 and refused.headers["location"] == data["invitations_path"]
    told = browser.get(web2, data["invitations_path"]).text
    assert f"{INVITED} was sent this invitation a short while ago" in told, told[:4000]
    assert "Sent — you can resend after" in told

    processes.wait_until("both reminder sweeps", lambda: len(sweeps_done()) >= 2, 45)
    assert sorted(sweeps_done()) == ["worker.1", "worker.2"], "each worker ran one sweep at once"
    received = sink.subjects_by_recipient()
    reminded = data["reminded"]
    assert {person: len(received.get(person, [])) for person in reminded} == dict.fromkeys(
        reminded, 1
    ), received
    assert ledger(processes.env["DATABASE_URL"], data["meeting"]) == Counter(
        {(person, "sent"): 1 for person in reminded}
    )
    # The resend through web 1 reached the invited person; the one web 2 refused sent nothing.
    processes.wait_until(
        "the resent invitation", lambda: INVITED in sink.subjects_by_recipient(), 30
    )
    assert len(sink.subjects_by_recipient()[INVITED]) == 1
    # The workers' health check docs/DEPLOY.md gives answers for both.
    ping = subprocess.run(  # noqa: S603 - our interpreter, celery's own command
        [sys.executable, "-m", "celery", "-A", "config", "inspect", "ping", "--timeout", "5"],
        cwd=ROOT,
        env=processes.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ping.returncode == 0, ping.stdout + ping.stderr
    assert sorted(re.findall(r"->\s+(worker\.\d)@\S+: OK", ping.stdout)) == ["worker.1", "worker.2"]
    # Exactly one beat among the processes honcho started, apart from the workers.
    started = re.findall(r"(\S+) started \(pid=", processes.log())
    assert sorted(started) == ["beat.1", "web.1", "web.2", "worker.1", "worker.2"]


# --- The launcher's checks, everywhere --------------------------------------------------------

PRODUCTION = {
    "SECRET_KEY": "k" * 30 + "-a-real-secret-of-fifty-characters",
    "ALLOWED_HOSTS": SITE_HOST,
    "SITE_URL": ORIGIN,
    "DATABASE_URL": "postgres://peertables@db.internal:5432/peertables",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp://smtp.internal:25",
}


def test_make_prod_refuses_to_start_and_names_everything_missing():
    done = subprocess.run(  # noqa: S603 - our interpreter, our module
        [sys.executable, "-m", "deploy.processes", "check"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "make prod refuses to start" in done.stderr
    for name in [*PRODUCTION, "DEBUG is on"]:
        assert name in done.stderr


def test_make_prod_wants_postgresql_one_beat_and_whole_numbers():
    from deploy.processes import ConfigurationError, plan_for

    with pytest.raises(ConfigurationError) as refused:
        plan_for(
            {
                **PRODUCTION,
                "DATABASE_URL": "sqlite:///var/peertables.sqlite3",
                "BEAT_PROCESSES": "2",
                "WEB_PROCESSES": "two",
            }
        )
    message = str(refused.value)
    assert "DATABASE_URL must be PostgreSQL" in message
    assert "BEAT_PROCESSES must be 1" in message
    assert "WEB_PROCESSES must be a whole number" in message


def test_the_default_plan_is_two_web_two_workers_one_beat_on_consecutive_ports():
    from deploy.processes import plan_for

    plan = plan_for(PRODUCTION)
    assert plan.concurrency == "web=2,worker=2,beat=1"
    assert plan.web_ports == [8000, 8001]
    assert plan_for({**PRODUCTION, "WEB_PROCESSES": "3", "PORT": "9000"}).web_ports == [
        9000,
        9001,
        9002,
    ]


def test_the_procfile_runs_beat_on_its_own_and_workers_without_it():
    from honcho.environ import parse_procfile

    from deploy.processes import PROCFILE

    processes = parse_procfile(PROCFILE.read_text()).processes
    assert list(processes) == ["web", "worker", "beat"]  # web first: it gets PORT, PORT+1, ...
    assert processes["web"].startswith("gunicorn config.wsgi ")
    assert "$PORT" in processes["web"]
    assert processes["worker"].startswith("celery -A config worker ")
    assert "--beat" not in processes["worker"] and " -B" not in processes["worker"]
    assert processes["beat"].startswith("celery -A config beat")
