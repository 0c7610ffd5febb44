"""What a request about residents may say (lwpwa.api.declare): registering, changing one's own
profile, a printed card's profile, and the size of a QR image. The consent rules belong to the
declarations too, with the error codes API.md gives them."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import ConfigDict

from ..api.declare import Body, Bool, Choice, Query, QueryInt, Text, declared, refuse
from ..errors import ApiError
from . import qr
from .models import AGE_GROUPS

# The profile's fields, alike wherever a profile is given; null (or "") is none.
DISPLAY_NAME = Text(64, or_null=None)
AGE_GROUP = Choice(AGE_GROUPS, or_null=None)
COMMUNITY = Text(100, or_null=None)
GUARDIAN_CONSENT = Bool(or_null=False, description="Required (true) when age_group is under_14.")


def _consent(value):
    if value is None:  # as good as false: consent_required, not a validation error
        return False
    if not isinstance(value, bool):
        refuse(_("Must be true or false."))
    return value


CONSENT = declared(_consent, {"const": True, "description": "The person agreed to the notice. "
                                                            "Required (else consent_required)."})

# What the document says of the guardian's consent, as the check below has it.
_GUARDIAN_RULE = {
    "if": {"properties": {"age_group": {"const": "under_14"}}, "required": ["age_group"]},
    "then": {"properties": {"guardian_consent": {"const": True}}, "required": ["guardian_consent"]},
}


def require_guardian(age_group, guardian_consent):
    if age_group == "under_14" and guardian_consent is not True:
        raise ApiError(400, "guardian_consent_required",
                       _("Children under 14 need the consent of a parent or guardian."),
                       {"guardian_consent": _("A guardian's consent is required.")})


def _with_consent_rules(schema):
    # Left out, consent is false (consent_required); the document says it is required.
    schema["properties"]["consent"].pop("default", None)
    schema["required"] = ["consent"]
    schema.update(_GUARDIAN_RULE)


class ResidentInput(Body):
    """A resident's registration: nothing is required but consent."""
    model_config = ConfigDict(json_schema_extra=_with_consent_rules)

    display_name: DISPLAY_NAME = None
    age_group: AGE_GROUP = None
    community: COMMUNITY = None
    consent: CONSENT = False
    guardian_consent: GUARDIAN_CONSENT = False

    @classmethod
    def check(cls, data):
        """Bad fields first (validation_error), then consent_required and
        guardian_consent_required."""
        given = super().check(data)
        if given.consent is not True:
            raise ApiError(400, "consent_required",
                           _("Please read the notice and agree before getting a sign-in code."),
                           {"consent": _("Consent is required.")})
        require_guardian(given.age_group, given.guardian_consent)
        return given

    def profile(self):
        return {"display_name": self.display_name, "age_group": self.age_group,
                "community": self.community}


class CardProfileInput(ResidentInput):
    """A printed card holder's profile, given with their consent at a later visit."""


def _guardian_rule_only(schema):
    schema.update(_GUARDIAN_RULE)


class ResidentPatch(Body):
    """Only the fields given change; null or an empty string clears one. Changing age_group to
    under_14 needs guardian_consent: true."""
    model_config = ConfigDict(json_schema_extra=_guardian_rule_only)

    display_name: DISPLAY_NAME = None
    age_group: AGE_GROUP = None
    community: COMMUNITY = None
    guardian_consent: Bool(or_null=False, description="Required (true) to change age_group to "
                                                      "under_14.") = False

    @classmethod
    def check(cls, data):
        given = super().check(data)
        require_guardian(given.age_group, given.guardian_consent)
        return given

    def changes(self):
        """The profile fields given, {name: value or None}."""
        return {name: value for name, value in self.given().items() if name != "guardian_consent"}


class QrQuery(Query):
    # ?size= is no size: it is refused like any other value that is not one.
    empty_is_absent = False

    size: QueryInt(qr.MIN_SIZE, qr.MAX_SIZE,
                   message=_l("A whole number of pixels from %(low)d to %(high)d.",
                              low=qr.MIN_SIZE, high=qr.MAX_SIZE),
                   description=f"The image's width in pixels, at most (modules stay whole pixels). "
                               f"PNG: default {qr.DEFAULT_SIZE}; SVG: sets width and height, else "
                               f"it scales to its container.") = None
