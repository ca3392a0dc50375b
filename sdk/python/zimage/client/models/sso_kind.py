from enum import StrEnum


class SsoKind(StrEnum):
    GITHUB = "github"
    OIDC = "oidc"

    def __str__(self) -> str:
        return str(self.value)
