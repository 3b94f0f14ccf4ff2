from jiceng.core import workflows as wf
from jiceng.core.workflows import Guard, Spec, State, Transition

from .plugin import SEE_WELLS

SPEC = wf.register(
    Spec(
        key="plugin_app.well",
        title="打井审批",
        initial="asked",
        states=(State("asked", "申请", locked=True), State("dug", "已打井", locked=True, final=True)),
        transitions=(Transition("dig", "打井", ("asked",), "dug", (Guard("perm", perm=SEE_WELLS),)),),
    ),
    owner=__name__,
)
