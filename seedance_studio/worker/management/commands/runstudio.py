import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Development: start the web server and a worker together. One Ctrl-C stops both; if either one "
        "exits, the other is stopped too."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, host, port, **options):
        base_url = f"http://{host}:{port}"
        keep_development_secret_key()
        call_command("ensure_first_admin", base_url=base_url)
        manage = [sys.executable, "manage.py"]
        children = {
            "web": subprocess.Popen([*manage, "runserver", f"{host}:{port}"]),
            "worker": subprocess.Popen([*manage, "runworker"]),
        }
        self.stdout.write(
            f"Seedance Studio is running at {base_url}/ (web pid {children['web'].pid}, worker pid "
            f"{children['worker'].pid}). Press Ctrl-C to stop both."
        )
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and all(child.poll() is None for child in children.values()):
            time.sleep(0.3)
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 60  # the worker finishes the render in hand before it exits
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in time; killing it.")
                child.kill()
        failed = [name for name, child in children.items() if child.returncode not in (0, -signal.SIGTERM)]
        if failed and not stopping:
            self.stderr.write(f"{', '.join(failed)} exited unexpectedly; stopped the studio.")
            sys.exit(1)


def keep_development_secret_key() -> None:
    """Without DJANGO_SECRET_KEY, `make run` keeps a random key in var/dev-secret-key, which the web server and
    worker it starts read (settings.py), so sessions and share links survive restarts. Written here, not when
    the settings are imported. Never committed: var/ is ignored."""
    if os.environ.get("DJANGO_SECRET_KEY", "").strip():
        return
    key_file = Path(settings.VAR_DIR) / "dev-secret-key"
    if key_file.exists():
        return
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.touch(mode=0o600)
    key_file.write_text(secrets.token_urlsafe(50))
