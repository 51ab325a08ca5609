"""Sign-off: a named person in a questionnaire role approves exactly this content.

A sign-off records the content digest; changing an answer later voids it (see
`store.canonical`). Signing with required answers missing or high flags without a
mitigation is refused unless an override reason is given, which the plan shows.
An optional SSH signature (`ssh-keygen -Y sign -n gatebook`, the keys people sign
git commits with) covers the digest together with who decided what and when.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from gatebook.engine.evaluate import evaluate
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.canonical import content_digest
from gatebook.store.model import Review, Signoff

DECISIONS = ("approved", "approved-with-conditions", "rejected")
NAMESPACE = "gatebook"


class SignoffRefused(Exception):
    """The sign-off cannot be recorded as asked (the message says what to do)."""


def blockers(review: Review, questionnaire: Questionnaire) -> list[str]:
    """Why a sign-off would need an override: missing answers, unmitigated high flags."""
    result = evaluate(questionnaire, review.answers, review.not_applicable)
    reasons = []
    if result.missing:
        shown = ", ".join(result.missing[:8]) + (" …" if len(result.missing) > 8 else "")
        reasons.append(f"{len(result.missing)} required answers missing ({shown})")
    unmitigated = [
        f.id
        for f in result.flags
        if f.severity == "high" and not review.mitigations.get(f.id, "").strip()
    ]
    if unmitigated:
        reasons.append(f"high flags without a mitigation: {', '.join(sorted(unmitigated))}")
    return reasons


def signed_message(review_id: str, signoff: Signoff) -> bytes:
    """The exact bytes an SSH signature covers."""
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
    sign_key: Path | None = None,
) -> Signoff:
    """A checked sign-off for the review as it is now, SSH-signed when a key is given.

    Raises SignoffRefused with a message saying what to do.
    """
    roles = {r.id for r in questionnaire.signoff}
    if role not in roles:
        known = ", ".join(r.id for r in questionnaire.signoff) or "none"
        raise SignoffRefused(f"{role!r} is not a sign-off role of {questionnaire.id}: {known}")
    if decision not in DECISIONS:
        raise SignoffRefused(f"decision must be one of {', '.join(DECISIONS)}")
    if not name.strip():
        raise SignoffRefused("a sign-off needs the signer's name")
    reasons = blockers(review, questionnaire)
    override = (override or "").strip() or None
    if reasons and decision != "rejected" and override is None:
        raise SignoffRefused(
            "sign-off refused: "
            + "; ".join(reasons)
            + ". Answer or mitigate them, or sign with --override REASON."
        )
    signoff = Signoff(
        role=role,
        name=name.strip(),
        decision=decision,  # type: ignore[arg-type]
        comment=comment,
        time=time,
        digest=content_digest(review),
        override=override,
    )
    if sign_key is not None:
        signoff.signature = ssh_sign(signed_message(review.id, signoff), sign_key)
    return signoff


def ssh_sign(message: bytes, key: Path) -> str:
    """Sign with `ssh-keygen -Y sign`; returns the armored signature text."""
    if not Path(key).expanduser().exists():
        raise SignoffRefused(f"{key}: no such key file")
    try:
        done = subprocess.run(
            ["ssh-keygen", "-Y", "sign", "-q", "-f", str(Path(key).expanduser()), "-n", NAMESPACE],
            input=message,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except FileNotFoundError as error:
        raise SignoffRefused("ssh-keygen is not installed; sign without --sign-key") from error
    if done.returncode != 0 or b"BEGIN SSH SIGNATURE" not in done.stdout:
        detail = done.stderr.decode(errors="replace").strip() or "no signature produced"
        raise SignoffRefused(f"ssh-keygen could not sign with {key}: {detail}")
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
