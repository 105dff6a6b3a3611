"""what the system writes on a timeline kept as values, worded when shown

The system's sentences already written ("Human Resources Bureau, Housing Bureau" on an
assignment, "2026-10-20 (+1)" when an item became overdue, "#12" on a merge or a split) are
read back into values. A note that cannot be read (a unit since renamed) stays as it is.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 05:00:00

"""
import re

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

OVERDUE = re.compile(r"^(\d{4}-\d{2}-\d{2}) \(\+(\d+)\)$")
ITEM_NUMBER = re.compile(r"^#(\d+)$")
SPLIT_NOTE = re.compile(r"^(.*)\n→ ((?:#\d+(?:, )?)+)$", re.DOTALL)

entries = sa.table(
    'timeline_entry',
    sa.column('id', sa.Integer),
    sa.column('item_id', sa.Integer),
    sa.column('kind', sa.String),
    sa.column('note', sa.Text),
    sa.column('details', sa.JSON),
)
items = sa.table(
    'followup_item', sa.column('id', sa.Integer), sa.column('merged_into_id', sa.Integer)
)
# Entries read and written back at a time.
PAGE = 1000

units = sa.table('responsible_unit', sa.column('id', sa.Integer), sa.column('name', sa.String))


def upgrade():
    with op.batch_alter_table('timeline_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))

    connection = op.get_bind()
    unit_ids = {name: unit_id for unit_id, name in connection.execute(sa.select(units.c.id, units.c.name))}
    # Longest first, so that a name that begins another is not taken for it.
    names = sorted(unit_ids, key=len, reverse=True)
    # A province's ten years hold millions of entries: read them a page at a time by id and
    # write each page back in one executemany, never holding them all in memory.
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(entries.c.id, entries.c.item_id, entries.c.kind, entries.c.note)
            .where(
                entries.c.id > last_id,
                entries.c.kind.in_(['assigned', 'became_overdue', 'merged', 'split']),
                entries.c.note != '',
            )
            .order_by(entries.c.id)
            .limit(PAGE)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        merged_item_ids = {item_id for _id, item_id, kind, _note in rows if kind == 'merged'}
        merged_into = (
            dict(
                connection.execute(
                    sa.select(items.c.id, items.c.merged_into_id).where(
                        items.c.id.in_(merged_item_ids)
                    )
                ).all()
            )
            if merged_item_ids
            else {}
        )
        changes = []
        for entry_id, item_id, kind, note in rows:
            found = _read(kind, note, item_id, unit_ids, names, merged_into)
            if found is not None:
                details, note_left = found
                changes.append({'entry_id': entry_id, 'details': details, 'note': note_left})
        if changes:
            connection.execute(
                entries.update()
                .where(entries.c.id == sa.bindparam('entry_id'))
                .values(details=sa.bindparam('details'), note=sa.bindparam('note')),
                changes,
            )


def _read(kind, note, item_id, unit_ids, names, merged_into):
    """(details, the note that stays) for a sentence the system wrote, or None."""
    if kind == 'assigned':
        text = note.removeprefix('Assigned to ').removesuffix('.')
        ids = _unit_ids(text, unit_ids, names)
        if not ids:
            return None
        return {'lead_unit': ids[0], 'co_units': ids[1:]}, ''
    if kind == 'became_overdue':
        match = OVERDUE.match(note)
        return ({'due_on': match[1], 'days_late': int(match[2])}, '') if match else None
    if kind == 'merged':
        match = ITEM_NUMBER.match(note)
        if not match:
            return None
        other = int(match[1])
        key = 'merged_into' if merged_into.get(item_id) == other else 'merged_from'
        return {key: other}, ''
    if kind == 'split':
        match = ITEM_NUMBER.match(note)
        if match:
            return {'split_from': int(match[1])}, ''
        match = SPLIT_NOTE.match(note)
        if match:
            numbers = [int(number) for number in re.findall(r"#(\d+)", match[2])]
            return {'split_into': numbers}, match[1]
    return None


def _unit_ids(text, unit_ids, names):
    """The units a comma-joined list of names names, or None if one of them is unknown."""
    found = []
    rest = text
    while rest:
        name = next((name for name in names if rest.startswith(name)), None)
        if name is None:
            return None
        found.append(unit_ids[name])
        rest = rest[len(name):].removeprefix(', ')
    return found


def downgrade():
    # The values are written back as the sentences they replaced, in English.
    connection = op.get_bind()
    unit_names = dict(connection.execute(sa.select(units.c.id, units.c.name)).all())
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(entries.c.id, entries.c.note, entries.c.details)
            .where(entries.c.id > last_id, entries.c.details.is_not(None))
            .order_by(entries.c.id)
            .limit(PAGE)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        connection.execute(
            entries.update()
            .where(entries.c.id == sa.bindparam('entry_id'))
            .values(note=sa.bindparam('note')),
            [
                {'entry_id': entry_id, 'note': _sentence(note, details, unit_names)}
                for entry_id, note, details in rows
            ],
        )
    with op.batch_alter_table('timeline_entry', schema=None) as batch_op:
        batch_op.drop_column('details')


def _sentence(note, details, unit_names):
    if 'lead_unit' in details:
        ids = [details['lead_unit'], *details.get('co_units', [])]
        return ', '.join(unit_names.get(unit_id, f'#{unit_id}') for unit_id in ids)
    if 'days_late' in details:
        return f"{details['due_on']} (+{details['days_late']})"
    for key in ('merged_into', 'merged_from', 'split_from'):
        if key in details:
            return f'#{details[key]}'
    if 'split_into' in details:
        return note + '\n→ ' + ', '.join(f'#{number}' for number in details['split_into'])
    return note
