"""One open history row per existing member: in their current organisation since they joined
(nobody had moved yet on record, so the current organisation is the only one known)."""

from django.db import migrations

FORWARD = """
INSERT INTO people_membership (member_id, org_id, since, until)
SELECT pm.id, pm.org_id, pm.joined_on, NULL
FROM people_partymember pm
WHERE NOT EXISTS (SELECT 1 FROM people_membership h WHERE h.member_id = pm.id)
"""


class Migration(migrations.Migration):
    dependencies = [("people", "0005_membership_history")]

    operations = [migrations.RunSQL(FORWARD, reverse_sql="DELETE FROM people_membership")]
