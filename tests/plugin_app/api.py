from ninja import Router

router = Router(tags=["插件示例"])


@router.get("/wells/ping", summary="插件示例接口")
def ping(request):
    return {"wells": "ok"}
