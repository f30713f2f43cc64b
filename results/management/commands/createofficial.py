"""python manage.py createofficial USERNAME: a staff account in the Officials group."""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create a staff user in the Officials group. The password is read from "
        "DJANGO_OFFICIAL_PASSWORD, or asked for twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--data-manager",
            action="store_true",
            help="Also put the user in the Data managers group (may edit seasons' rules).",
        )

    def handle(self, *args: object, **options: object) -> None:
        User = get_user_model()
        username = options["username"]
        if User.objects.filter(username=username).exists():
            raise CommandError(f"a user named {username!r} already exists")
        password = os.environ.get("DJANGO_OFFICIAL_PASSWORD") or self.ask_password()
        user = User(username=username, email=options["email"], is_staff=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("password refused: " + " ".join(error.messages)) from error
        groups = ["Officials"] + (["Data managers"] if options["data_manager"] else [])
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.set(Group.objects.filter(name__in=groups))
        self.stdout.write(f"Created {username}, staff, in {' and '.join(groups)}.")

    def ask_password(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return first
