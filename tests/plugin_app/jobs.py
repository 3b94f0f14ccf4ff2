from jiceng.core.jobs import JobKind, register


def run(ctx):
    ctx.progress(1, 1, stage="数水井", force=True)
    ctx.result = {"wells": 2}
    ctx.message = "数完了。"


register(JobKind(key="plugin_app.count_wells", title="数水井", run="tests.plugin_app.jobs.run"))
