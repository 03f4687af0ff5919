from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "seedance_studio.accounts"
