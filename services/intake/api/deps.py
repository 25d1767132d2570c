from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.intake.application import IntakeApplication
from shared.deps import application

Intake = Annotated[IntakeApplication, Depends(application)]
