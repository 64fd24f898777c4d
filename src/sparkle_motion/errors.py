"""Every error Sparkle Motion raises on purpose.

The tree, with the CLI exit code each family maps to::

    SparkleError
    ├── InputError                      exit 2: the person's input is wrong
    │   ├── InvalidArtifact             (ValueError)  JSON/schema problems
    │   ├── UnsupportedSchemaVersion    (ValueError)  a MAJOR we cannot read
    │   ├── ProjectError                (ValueError)  project folder or project.yaml
    │   ├── AssetPathError              (ValueError)  a reference escaping its root
    │   ├── AssetRightsError            (ValueError)  a local asset without a usable licence
    │   ├── MissingInput                (FileNotFoundError)
    │   ├── AccessDenied                (PermissionError) no, unknown or too weak an API key
    │   ├── IdempotencyConflict         (ValueError)  a key reused with a different request
    │   ├── CallbackRefused             (ValueError)  a webhook URL the service will not call
    │   ├── FountainError               (ValueError)  a Fountain screenplay that cannot be read
    │   ├── CanonClaimError             (ValueError)  a [[canon: ...]] claim off its grammar
    │   ├── CanonConflict               (ValueError)  a canon diff the canon moved away from
    │   └── WebhookRejected             (PermissionError) a provider webhook that does not verify
    ├── QuotaExceeded                   a tenant is over its soft quota
    ├── GateBlocked                     exit 3: a gate refused the work
    ├── ApprovalPending                 exit 4: a human checkpoint must be approved
    ├── RunPaused                       exit 4: paused on request at a stage boundary
    ├── RunStopped                      exit 1: stopped on request
    ├── StageError                      exit 1: a stage could not do its work
    │   ├── TransientError              retried with backoff by the runner
    │   ├── MediaError                  (RuntimeError) ffmpeg, images, audio
    │   ├── SpeechError                 (RuntimeError) text to speech
    │   └── ProviderError               (RuntimeError) an external or GPU generator failed
    │       ├── ProviderTransient       retried: a 5xx, a timeout, a lost connection
    │       ├── ProviderRateLimited     retried after its Retry-After
    │       ├── ContentRejected         never retried: the content-safety gate decides
    │       └── ProviderFatal           never retried: the shot keeps its preview clip
    └── RegistryError                   exit 1
        ├── ArtifactNotFound            (KeyError)
        └── CorruptArtifact             (ValueError) stored bytes no longer match their hash

Each error carries a stable ``code`` (documented in docs/errors.md), a message
that says what went wrong, ``where`` it happened (a file, a JSON path, a stage,
a shot) and a ``hint`` that says how to fix it.
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "ApprovalPending",
    "ArtifactNotFound",
    "AssetPathError",
    "AssetRightsError",
    "CallbackRefused",
    "CanonClaimError",
    "CanonConflict",
    "ContentRejected",
    "CorruptArtifact",
    "FountainError",
    "GateBlocked",
    "IdempotencyConflict",
    "InputError",
    "InvalidArtifact",
    "MediaError",
    "MissingInput",
    "ProjectError",
    "ProviderError",
    "ProviderFatal",
    "ProviderRateLimited",
    "ProviderTransient",
    "QuotaExceeded",
    "RegistryError",
    "RunPaused",
    "RunStopped",
    "SparkleError",
    "SpeechError",
    "StageError",
    "TransientError",
    "UnsupportedSchemaVersion",
    "WebhookRejected",
]


class SparkleError(Exception):
    """Root of the tree; ``str()`` is the one line a person reads."""

    code = "SM000"
    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        hint: str | None = None,
        stage: str | None = None,
    ) -> None:
        self.message = message
        self.where = where
        self.hint = hint
        self.stage = stage
        """The stage of a run it happened in, when it happened in one (set by the runner)."""
        super().__init__(self.one_line())

    def one_line(self) -> str:
        parts = [f"error {self.code}:"]
        if self.where:
            parts.append(f"{self.where}:")
        parts.append(self.message)
        text = " ".join(parts)
        if self.hint:
            text += f" ({self.hint})"
        return text


class InputError(SparkleError):
    code = "SM100"
    exit_code = 2


class InvalidArtifact(InputError, ValueError):
    code = "SM101"


class UnsupportedSchemaVersion(InputError, ValueError):
    code = "SM102"


class ProjectError(InputError, ValueError):
    code = "SM103"


class AssetPathError(InputError, ValueError):
    code = "SM104"


class AssetRightsError(InputError, ValueError):
    code = "SM106"


class MissingInput(InputError, FileNotFoundError):
    code = "SM105"


class AccessDenied(InputError, PermissionError):
    code = "SM107"


class IdempotencyConflict(InputError, ValueError):
    code = "SM108"


class CallbackRefused(InputError, ValueError):
    code = "SM109"


class FountainError(InputError, ValueError):
    """A Fountain screenplay that cannot be read; ``where`` is ``file:line``."""

    code = "SM110"


class CanonClaimError(InputError, ValueError):
    """A ``canon:`` claim that breaks the grammar of ``sparkle_motion.canon.claims``."""

    code = "SM111"


class CanonConflict(InputError, ValueError):
    """A canon diff whose facts changed in the canon since it was proposed."""

    code = "SM112"


class QuotaExceeded(SparkleError):
    code = "SM600"
    exit_code = 1


class RunPaused(SparkleError):
    code = "SM401"
    exit_code = 4


class RunStopped(SparkleError):
    code = "SM402"
    exit_code = 1


class GateBlocked(SparkleError):
    code = "SM300"
    exit_code = 3


class ApprovalPending(SparkleError):
    code = "SM400"
    exit_code = 4


class StageError(SparkleError):
    code = "SM200"
    exit_code = 1


class TransientError(StageError):
    code = "SM201"


class MediaError(StageError, RuntimeError):
    code = "SM202"


class SpeechError(StageError, RuntimeError):
    code = "SM203"


class ProviderError(StageError, RuntimeError):
    """A generator service failed. ``error_class`` says what may be done about it."""

    code = "SM700"
    error_class = "fatal"


class ProviderTransient(ProviderError):
    code = "SM701"
    error_class = "transient"


class ProviderRateLimited(ProviderError):
    code = "SM702"
    error_class = "rate_limit"

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        hint: str | None = None,
        stage: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        """Seconds the provider asked us to wait, when it said (its Retry-After)."""
        super().__init__(message, where=where, hint=hint, stage=stage)


class ContentRejected(ProviderError):
    code = "SM703"
    error_class = "content_rejected"


class ProviderFatal(ProviderError):
    code = "SM704"
    error_class = "fatal"


class WebhookRejected(InputError, PermissionError):
    code = "SM113"


class RegistryError(SparkleError):
    code = "SM500"
    exit_code = 1


class ArtifactNotFound(RegistryError, KeyError):
    code = "SM501"

    def __str__(self) -> str:  # KeyError would quote the message otherwise
        return self.one_line()


class CorruptArtifact(RegistryError, ValueError):
    code = "SM502"
