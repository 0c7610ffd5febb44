"""Every model, imported once so that relationships resolve and Alembic sees all tables."""
from .accounts.models import ApiToken, PairingCode, User  # noqa: F401
from .activities.models import Activity, ActivityForm, Theme  # noqa: F401
from .campaigns.models import Campaign  # noqa: F401
from .checkins.models import Checkin, CheckinCount, Correction  # noqa: F401
from .orgs.models import Org  # noqa: F401
from .regions.models import Region  # noqa: F401
from .residents.models import Resident, SignInCode  # noqa: F401
from .submissions.models import Submission  # noqa: F401
from .health import StoreHeartbeat  # noqa: F401
from .evidence.models import EvidencePackage, Photo, Plan  # noqa: F401
from .flags.models import ActivityEdit, Flag, FlagActivity, FlagDirty, FlagEvent, FlagThresholds  # noqa: F401
from .reports.models import UnitCount  # noqa: F401
