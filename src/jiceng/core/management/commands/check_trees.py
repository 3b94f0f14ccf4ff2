"""Verify the materialised paths of the org and area trees (paths, depths, child counts)."""

from django.core.management.base import BaseCommand

from jiceng.core.models import Area, Org


class Command(BaseCommand):
    help = "Check the org and area trees for broken paths, depths and child counts; --fix repairs them."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="repair with treebeard's fix_tree")

    def handle(self, *args, fix=False, **opts):
        bad = False
        for model in (Org, Area):
            evil_chars, bad_steplen, orphans, wrong_depth, wrong_numchild = model.objects.find_problems()
            problems = {
                "invalid characters": evil_chars,
                "bad step length": bad_steplen,
                "orphans": orphans,
                "wrong depth": wrong_depth,
                "wrong child count": wrong_numchild,
            }
            found = {k: v for k, v in problems.items() if v}
            if found:
                bad = True
                self.stdout.write(
                    f"{model.__name__}: " + "; ".join(f"{k}: {len(v)}" for k, v in found.items())
                )
                if fix:
                    model.objects.fix_tree()
                    self.stdout.write(f"{model.__name__}: fixed")
            else:
                self.stdout.write(f"{model.__name__}: OK ({model.objects.count()} nodes)")
        if bad and not fix:
            raise SystemExit(1)
