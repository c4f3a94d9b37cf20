"""The SMS gateway: console and memory backends, and Kavenegar against a real local HTTP server."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.utils import translation

from vendors import sms

MOBILE = "09161234567"
TEXT = "کد ورود شما به بازارچه: 123456 — این کد تا ۵ دقیقه معتبر است."
API_KEY = "test-key/with?odd=chars"


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


class Gateway:
    """A stand-in Kavenegar on 127.0.0.1: records requests and answers as told."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.body = json.dumps({"return": {"status": 200, "message": "تایید شد"}, "entries": []}).encode()
        self.hang = False
        self.release = threading.Event()


@pytest.fixture
def gateway(settings, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            state.requests.append(
                {
                    "path": self.path,
                    "content_type": self.headers["Content-Type"],
                    "fields": parse_qs(self.rfile.read(length).decode("utf-8")),
                }
            )
            if state.hang:
                state.release.wait(10)
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "vendors.sms.KavenegarBackend"
    settings.SMS_API_URL = f"http://127.0.0.1:{server.server_address[1]}/v1/"
    settings.SMS_API_KEY = API_KEY
    settings.SMS_SENDER = "10004346"
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_memory_backend_appends_to_outbox(settings):
    settings.SMS_BACKEND = "vendors.sms.MemoryBackend"
    sms.send_sms(MOBILE, TEXT)
    sms.send_sms("09351234567", "دوم")
    assert sms.outbox == [(MOBILE, TEXT), ("09351234567", "دوم")]


def test_console_backend_prints_number_and_text(settings, capsys):
    settings.SMS_BACKEND = "vendors.sms.ConsoleBackend"
    sms.send_sms(MOBILE, TEXT)
    assert capsys.readouterr().out == f"SMS to {MOBILE}: {TEXT}\n"
    assert sms.outbox == []


def test_kavenegar_posts_receptor_message_and_sender(gateway):
    sms.send_sms(MOBILE, TEXT)
    assert gateway.requests == [
        {
            "path": "/v1/test-key%2Fwith%3Fodd%3Dchars/sms/send.json",
            "content_type": "application/x-www-form-urlencoded; charset=utf-8",
            "fields": {"receptor": [MOBILE], "message": [TEXT], "sender": ["10004346"]},
        }
    ]


def test_kavenegar_without_sender_leaves_it_out(gateway, settings):
    settings.SMS_SENDER = ""
    sms.send_sms(MOBILE, TEXT)
    assert gateway.requests[0]["fields"] == {"receptor": [MOBILE], "message": [TEXT]}


def test_kavenegar_error_status_raises_with_the_reason(gateway):
    # Kavenegar answers a refusal with the same code as HTTP status and return.status.
    gateway.status = 418
    gateway.body = json.dumps({"return": {"status": 418, "message": "اعتبار حساب شما کافی نیست"}}).encode()
    with pytest.raises(sms.SmsError) as raised:
        sms.send_sms(MOBILE, TEXT)
    assert str(raised.value) == "Kavenegar answered HTTP 418: 418 اعتبار حساب شما کافی نیست"
    assert "test-key" not in str(raised.value)


def test_kavenegar_refusal_inside_http_200_raises(gateway):
    gateway.body = json.dumps({"return": {"status": 411, "message": "گیرنده نامعتبر است"}}).encode()
    with pytest.raises(sms.SmsError) as raised:
        sms.send_sms(MOBILE, TEXT)
    assert str(raised.value) == "Kavenegar refused the message: status 411 گیرنده نامعتبر است"


def test_kavenegar_reply_that_is_not_json_raises(gateway):
    gateway.body = b"<html>502 Bad Gateway</html>"
    with pytest.raises(sms.SmsError) as raised:
        sms.send_sms(MOBILE, TEXT)
    assert str(raised.value) == (
        "Kavenegar's reply was not understood: not a Kavenegar reply: b'<html>502 Bad Gateway</html>'"
    )


def test_kavenegar_server_that_hangs_times_out(gateway):
    gateway.hang = True
    with pytest.raises(sms.SmsError) as raised:
        sms.KavenegarBackend(timeout=0.3).send(MOBILE, TEXT)
    assert str(raised.value) == "Kavenegar did not answer within 0.3 s."
    assert len(gateway.requests) == 1


def test_kavenegar_default_timeout_is_ten_seconds():
    assert sms.KavenegarBackend().timeout == 10.0


def test_kavenegar_unreachable_raises(settings):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SMS_BACKEND = "vendors.sms.KavenegarBackend"
    settings.SMS_API_URL = f"http://127.0.0.1:{port}/v1"
    settings.SMS_API_KEY = API_KEY
    with pytest.raises(sms.SmsError) as raised:
        sms.send_sms(MOBILE, TEXT)
    assert str(raised.value) == "Kavenegar could not be reached: [Errno 111] Connection refused"


def test_kavenegar_without_api_key_raises(settings):
    settings.SMS_BACKEND = "vendors.sms.KavenegarBackend"
    settings.SMS_API_KEY = ""
    with pytest.raises(sms.SmsError) as raised:
        sms.send_sms(MOBILE, TEXT)
    assert str(raised.value) == "SMS_API_KEY is not set."


def test_kavenegar_http_error_without_json_raises(gateway):
    gateway.status = 502
    gateway.body = b"Bad Gateway"
    with pytest.raises(sms.SmsError) as raised:
        sms.send_sms(MOBILE, TEXT)
    assert str(raised.value) == "Kavenegar answered HTTP 502: not a Kavenegar reply: b'Bad Gateway'"


# --- links in messages ---------------------------------------------------------------------------


def test_link_is_site_url_and_the_persian_path(settings):
    settings.SITE_URL = "https://bazaarche.example.ir"
    with translation.override("fa"):
        assert sms.link("me") == "https://bazaarche.example.ir/me/"
        assert sms.link("apply-application", 42) == "https://bazaarche.example.ir/me/applications/42/"


def test_link_follows_the_message_language(settings):
    settings.SITE_URL = "https://bazaarche.example.ir/"
    with translation.override("en"):
        assert sms.link("me") == "https://bazaarche.example.ir/en/me/"


def test_origin_line_names_the_host_without_port(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert sms.origin_line("012345") == "@127.0.0.1 #012345"
    settings.SITE_URL = "https://bazaarche.example.ir"
    assert sms.origin_line("012345") == "@bazaarche.example.ir #012345"
