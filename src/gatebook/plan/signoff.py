"""Sign-off: a named person in a questionnaire role approves exactly this content.

A sign-off records the content digest; changing an answer later voids it (see
`store.canonical`). Signing with required answers missing or high flags without a
mitigation is refused unless an override reason is given, which the plan shows.
An optional SSH signature (`ssh-keygen -Y sign -n gatebook`, the keys people sign
git commits with) covers every recorded field of the sign-off: the exact bytes are
`signed_message` below and in docs/contracts.md ("Signed bytes").
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
import tempfile
from pathlib import Path

from gatebook.engine import Evaluation
from gatebook.plan.decision import CLI_HINTS, Hints, check_decision
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.canonical import (
    canonical_json,
    content_digest,
    field_digests,
    questionnaire_digest,
)
from gatebook.store.evaluation import evaluate_review
from gatebook.store.model import Review, Signoff

DECISIONS = ("approved", "approved-with-conditions", "rejected")
NAMESPACE = "gatebook"
SIGNATURE_FORMAT = 2
SIGNED_HEADER = "gatebook-signoff v2"
SSH_KEY_TYPES = ("ssh-", "ecdsa-", "sk-ssh-", "sk-ecdsa-")
SIGNED_FIELDS = (
    "comment",
    "decision",
    "digest",
    "fields",
    "format",
    "name",
    "override",
    "questionnaire_digest",
    "review",
    "role",
    "time",
)
"""Exactly what format 2 signs (a later format adds fields under a new header)."""


class SignoffRefused(Exception):
    """The sign-off cannot be recorded as asked (the message says what to do)."""


def signed_message(review_id: str, signoff: Signoff) -> bytes:
    """The exact bytes an SSH signature covers, by the sign-off's format.

    Format 2 (every sign-off made now): the header line `gatebook-signoff v2`, a
    newline, the canonical JSON (sorted keys, no spaces, UTF-8) of every recorded
    field but the signature itself, and a newline. Format 1 (legacy, verified as
    `legacy`): the lines below, which leave out the comment and the override.
    """
    if signoff.format == SIGNATURE_FORMAT:
        dumped = signoff.model_dump(mode="json")
        fields = {key: dumped[key] for key in SIGNED_FIELDS}
        return f"{SIGNED_HEADER}\n{canonical_json(fields)}\n".encode()
    return legacy_message(review_id, signoff)


def legacy_message(review_id: str, signoff: Signoff) -> bytes:
    """Format 1, as plans of gatebook 0.1 signed it."""
    return (
        "gatebook sign-off\n"
        f"review: {review_id}\n"
        f"digest: {signoff.digest}\n"
        f"role: {signoff.role}\n"
        f"name: {signoff.name}\n"
        f"decision: {signoff.decision}\n"
        f"time: {signoff.time}\n"
    ).encode()


def make_signoff(
    review: Review,
    questionnaire: Questionnaire,
    *,
    role: str,
    name: str,
    decision: str,
    comment: str,
    time: str,
    override: str | None = None,
    sign_key: Path | str | None = None,
    hints: Hints = CLI_HINTS,
) -> Signoff:
    """A checked sign-off for the review as it is now, SSH-signed when a key is given.

    Raises SignoffRefused with a message saying what to do (`hints`: in the CLI's words
    or the app's).
    """
    roles = {r.id for r in questionnaire.signoff}
    if role not in roles:
        known = ", ".join(r.id for r in questionnaire.signoff) or "none"
        raise SignoffRefused(f"{role!r} is not a sign-off role of {questionnaire.id}: {known}")
    if decision not in DECISIONS:
        raise SignoffRefused(f"decision must be one of {', '.join(DECISIONS)}")
    if not name.strip():
        raise SignoffRefused("a sign-off needs the signer's name")
    evaluation = evaluate_review(questionnaire, review)
    override = (override or "").strip() or None
    refuse_decision(review, questionnaire, evaluation, decision, comment, override, hints)
    signoff = Signoff(
        role=role,
        name=name.strip(),
        decision=decision,  # type: ignore[arg-type]
        comment=comment,
        time=time,
        digest=content_digest(review),
        override=override,
        format=SIGNATURE_FORMAT,
        review=review.origin or review.id,
        questionnaire_digest=questionnaire_digest(questionnaire),
        fields=field_digests(review),
    )
    if sign_key is not None:
        signoff.signature = ssh_sign(signed_message(review.id, signoff), sign_key)
    return signoff


def refuse_decision(
    review: Review,
    questionnaire: Questionnaire,
    evaluation: Evaluation,
    decision: str,
    comment: str,
    override: str | None,
    hints: Hints = CLI_HINTS,
) -> None:
    """The sign-off rules (docs/contracts.md "Sign-off rules"); raises SignoffRefused.

    `rejected` is always accepted. After an escalation decision `stop`, nothing else
    is. Otherwise the blockers (missing answers, high risks not addressed, a gate that
    decides sign-off, an escalation without a decision) and an overall score below
    the target for `approved` need `--override REASON`; `approved-with-conditions`
    below the target needs the conditions in the comment.
    """
    check = check_decision(review, questionnaire, evaluation, decision, hints)
    refusal = check.refusal(comment, override)
    if refusal is not None:
        raise SignoffRefused(refusal)


def git_signing_key() -> str | None:
    """`git config user.signingkey` when it is an SSH key (a path or `key::ssh-...`)."""
    try:
        done = subprocess.run(
            ["git", "config", "--get", "user.signingkey"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = done.stdout.strip()
    if done.returncode != 0 or not value:
        return None
    literal = value.removeprefix("key::")
    if literal.startswith(SSH_KEY_TYPES):
        return literal
    path = Path(value).expanduser()
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:200] if path.is_file() else ""
    except OSError:
        return None
    if head.startswith(SSH_KEY_TYPES) or "OPENSSH PRIVATE KEY" in head:
        return str(path)
    return None


def ssh_sign(message: bytes, key: Path | str) -> str:
    """Sign with `ssh-keygen -Y sign`; returns the armored signature text.

    `key` is a private key file, a public key file whose private half is in
    `ssh-agent` (or on a hardware key), or a public key's text (`ssh-ed25519 AAAA...`,
    as `git config user.signingkey` may hold it).
    """
    with tempfile.TemporaryDirectory() as tmp:
        text = str(key)
        if text.startswith(SSH_KEY_TYPES):
            key_file = Path(tmp) / "signing-key.pub"
            key_file.write_text(text.strip() + "\n", encoding="utf-8")
        else:
            key_file = Path(text).expanduser()
            if not key_file.is_file():
                raise SignoffRefused(f"{key}: no such key file")
        return _run_sign(message, key_file, str(key))


def _run_sign(message: bytes, key_file: Path, shown: str) -> str:
    try:
        done = subprocess.run(
            ["ssh-keygen", "-Y", "sign", "-q", "-f", str(key_file), "-n", NAMESPACE],
            input=message,
            capture_output=True,
            timeout=60,
            check=False,
            env={**os.environ},
        )
    except FileNotFoundError as error:
        raise SignoffRefused("ssh-keygen is not installed; sign without --sign-key") from error
    except subprocess.TimeoutExpired as error:
        raise SignoffRefused(f"ssh-keygen did not sign with {shown} within 60 s") from error
    if done.returncode != 0 or b"BEGIN SSH SIGNATURE" not in done.stdout:
        detail = done.stderr.decode(errors="replace").strip() or "no signature produced"
        raise SignoffRefused(f"ssh-keygen could not sign with {shown}: {detail}")
    return done.stdout.decode().strip() + "\n"


def ssh_verify(message: bytes, signature: str, principal: str, allowed_signers: Path) -> str | None:
    """None when the signature verifies for `principal`; else what ssh-keygen said."""
    with tempfile.TemporaryDirectory() as tmp:
        sig = Path(tmp) / "signoff.sig"
        sig.write_text(signature)
        try:
            done = subprocess.run(
                [
                    *("ssh-keygen", "-Y", "verify", "-f", str(allowed_signers)),
                    *("-I", principal, "-n", NAMESPACE, "-s", str(sig)),
                ],
                input=message,
                capture_output=True,
                timeout=60,
                check=False,
            )
        except FileNotFoundError:
            return "ssh-keygen is not installed, so the signature cannot be checked"
    if done.returncode == 0:
        return None
    return (done.stderr or done.stdout).decode(errors="replace").strip() or "did not verify"


def _principal_patterns(line: str) -> list[str]:
    """The principals field of an allowed-signers line (quoted when it holds spaces)."""
    line = line.strip()
    if line.startswith('"'):
        end = line.find('"', 1)
        field = line[1:end] if end > 0 else line[1:]
    else:
        field = line.split(None, 1)[0] if line else ""
    return [pattern for pattern in field.split(",") if pattern]


def allows_principal(allowed_signers: Path, name: str) -> bool:
    """Whether some line of the allowed-signers file names `name` (patterns as ssh does)."""
    try:
        text = allowed_signers.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        patterns = _principal_patterns(line)
        negated = [p[1:] for p in patterns if p.startswith("!")]
        if any(fnmatch.fnmatchcase(name, p) for p in negated):
            continue
        if any(fnmatch.fnmatchcase(name, p) for p in patterns if not p.startswith("!")):
            return True
    return False


def signature_state(review_id: str, signoff: Signoff, allowed_signers: Path | None) -> str:
    """unsigned, unchecked, unknown-signer, bad-signature, legacy or valid (in this order)."""
    if signoff.signature is None:
        return "unsigned"
    if allowed_signers is None:
        return "unchecked"
    if not allows_principal(allowed_signers, signoff.name):
        return "unknown-signer"
    failure = ssh_verify(
        signed_message(review_id, signoff), signoff.signature, signoff.name, allowed_signers
    )
    if failure is not None:
        return "bad-signature"
    return "valid" if signoff.format == SIGNATURE_FORMAT else "legacy"
