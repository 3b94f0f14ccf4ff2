def wells(actor, org, today):
    return {"due": ["3号井待清淤"]}
