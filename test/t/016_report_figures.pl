# The report's headline figures, in all three files, equal SQL over the same scope to the
# cent: Budget (budget_master.total_budget), Allocated, Spent (transactions: expenses minus
# refunds), Remaining, overdue and upcoming payments by due date (not stored status), for
# the demo couple and for filtered exports. Text a format cannot carry never breaks a file.
use strict;
use warnings;
use utf8;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node wait_for_exports sample_couple);
use File::Temp qw(tempfile);
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = new_export_node('report_figures');
my $today = $node->safe_psql('app', "SELECT (now() AT TIME ZONE 'UTC')::date");

# An independent reader: Python's csv module and ElementTree over every .xlsx part.
my ($fh, $reader) = tempfile(SUFFIX => '.py', UNLINK => 1);
print $fh <<'PY';
import csv, io, json, re, sys, zipfile
import xml.etree.ElementTree as ET
from decimal import Decimal
kind, path = sys.argv[1], sys.argv[2]
out = {}
if kind == 'csv':
    raw = open(path, 'rb').read()
    out['controls'] = sum(1 for b in raw if b < 0x20 and b not in (9, 10, 13))
    rows = list(csv.reader(io.StringIO(raw.decode('utf-8-sig'), newline='')))
    col = rows[0].index('Spent')
    out['rows'] = len(rows) - 1
    out['spent'] = str(sum(Decimal(r[col]) for r in rows[1:]))
else:
    NS = '{http://schemas.openxmlformats.org/spreadsheetml/2006/main}'
    z = zipfile.ZipFile(path)
    parts = [p for p in z.namelist() if p.endswith('.xml') or p.endswith('.rels')]
    for p in parts: ET.fromstring(z.read(p))          # every part must be well-formed XML
    out['parts'] = len(parts)
    def cells(sheet):
        root = ET.fromstring(z.read('xl/worksheets/sheet%d.xml' % sheet))
        result = {}
        for c in root.iter(NS + 'c'):
            v, f = c.find(NS + 'v'), c.find(NS + 'f')
            if c.get('t') == 'inlineStr': value = ''.join(t.text or '' for t in c.iter(NS + 't'))
            else: value = v.text if v is not None else None
            result[c.get('r')] = {'v': value, 'f': f.text if f is not None else None}
        return result
    summary = cells(1)
    labels = {}
    for ref, cell in summary.items():
        m = re.match(r'A(\d+)$', ref)
        if m and cell['v'] and ('B' + m.group(1)) in summary:
            b = summary['B' + m.group(1)]
            labels.setdefault(cell['v'], {'v': b['v'], 'f': b['f']})
    out['summary'] = labels
    out['title'] = summary.get('A1', {}).get('v')
    details = cells(2)
    out['details_spent'] = str(sum(Decimal(c['v']) for r, c in details.items()
                                   if re.match(r'H\d+$', r) and r != 'H1' and c['f'] is None and c['v'] is not None))
print(json.dumps(out))
PY
close $fh;

sub read_file_json {
	my ($kind, $path) = @_;
	my ($json) = run_command([ 'python3', $reader, $kind, $path ]);
	return decode_json($json);
}

# "€1,234.50", "-€92.49": what the PDF prints.
sub euros {
	my ($amount) = @_;
	my $negative = $amount < 0;
	my $text = sprintf('%.2f', abs($amount));
	1 while $text =~ s/^(\d+)(\d{3})/$1,$2/;
	return ($negative ? '-' : '') . "\x{20ac}$text";
}

sub file_of {
	my ($id) = @_;
	(my $path = $node->safe_psql('app', "SELECT file_url FROM budget_exports WHERE id = '$id'")) =~ s{^file://}{};
	return $path;
}

sub export {
	my ($type, $filters) = @_;
	(my $quoted = $filters) =~ s/'/''/g;
	my $id = $node->safe_psql('app',
		"INSERT INTO budget_exports (couple_id, export_type, export_filters)
		 VALUES ('@{[sample_couple]}', '$type', '$quoted') RETURNING id");
	my $status = wait_for_exports($node, 60, $id);
	is($status->{$id}, 'completed', "$type export completed: $filters")
	  or diag($node->safe_psql('app', "SELECT error_message FROM budget_exports WHERE id = '$id'"));
	return file_of($id);
}

# The scope of each case, written out in SQL independently of the data source:
# t = budget_transactions, bc = its category; c = budget_categories; pm = milestones (c = their category).
my $users = "(SELECT user_id FROM couples WHERE id = '@{[sample_couple]}'
               UNION ALL SELECT partner_user_id FROM couples WHERE id = '@{[sample_couple]}')";
my @cases = (
	{ name => 'whole budget', filters => '{}', t => 'true', c => 'true', pm => 'true', category_filter => 0 },
	{ name => 'two categories, March, paid only',
	  filters => '{"categories": ["Venue", "Catering"], "date_range": {"start": "2026-03-01", "end": "2026-03-31"}, "payment_status": "paid"}',
	  t => "bc.name IN ('Venue', 'Catering') AND t.transaction_date BETWEEN '2026-03-01' AND '2026-03-31'",
	  c => "c.name IN ('Venue', 'Catering')",
	  pm => "pm.due_date BETWEEN '2026-03-01' AND '2026-03-31' AND pm.payment_status = 'paid'",
	  category_filter => 1 },
	{ name => 'amount range',
	  filters => '{"amount_range": {"min": 100, "max": 900}}',
	  t => 'abs(t.amount) BETWEEN 100 AND 900', c => 'true', pm => 'pm.amount BETWEEN 100 AND 900',
	  category_filter => 0 },
	{ name => 'vendors, with notes',
	  filters => '{"vendor_names": ["Château Lumière", "café olé"], "include_notes": true}',
	  t => "lower(t.vendor_name) IN ('château lumière', 'café olé')", c => 'true', pm => 'true',
	  category_filter => 0 },
	{ name => 'pending payments',
	  filters => '{"payment_status": "pending"}',
	  t => 'false', c => 'true', pm => "pm.payment_status IN ('pending', 'overdue')", category_filter => 0 },
	{ name => 'the last 90 days',
	  filters => qq({"date_range": {"start": "@{[ $node->safe_psql('app', "SELECT '$today'::date - 90") ]}", "end": "$today"}}),
	  t => "t.transaction_date BETWEEN '$today'::date - 90 AND '$today'", c => 'true',
	  pm => "pm.due_date BETWEEN '$today'::date - 90 AND '$today'", category_filter => 0 },
);

for my $case (@cases) {
	my $name = $case->{name};
	my ($budget, $allocated, $spent, $overdue, $upcoming, $total_due) = split /\|/, $node->safe_psql('app', qq{
		WITH t AS (SELECT t.* FROM budget_transactions t LEFT JOIN budget_categories bc ON bc.id = t.category_id
		            WHERE t.user_id IN $users AND $case->{t}),
		     c AS (SELECT c.* FROM budget_categories c WHERE c.user_id IN $users AND $case->{c}),
		     pm AS (SELECT pm.* FROM budget_payment_milestones pm JOIN budget_categories c ON c.id = pm.category_id
		             WHERE c.user_id IN $users AND $case->{c} AND $case->{pm})
		SELECT CASE WHEN $case->{category_filter} = 1 THEN (SELECT coalesce(sum(allocated_amount), 0) FROM c)
		            ELSE (SELECT total_budget FROM budget_master WHERE user_id IN $users) END,
		       (SELECT coalesce(sum(allocated_amount), 0) FROM c),
		       (SELECT coalesce(sum(CASE transaction_type WHEN 'expense' THEN amount WHEN 'refund' THEN -amount ELSE 0 END), 0) FROM t),
		       (SELECT coalesce(sum(amount), 0) FROM pm WHERE payment_status NOT IN ('paid', 'cancelled') AND due_date < '$today'),
		       (SELECT coalesce(sum(amount), 0) FROM pm WHERE payment_status NOT IN ('paid', 'cancelled') AND (due_date >= '$today' OR due_date IS NULL)),
		       (SELECT coalesce(sum(amount), 0) FROM pm WHERE payment_status <> 'cancelled')
	});
	my $remaining = $budget - $spent;

	# CSV: SUM of the Spent column is Spent.
	my $csv = read_file_json('csv', export('csv', $case->{filters}));
	is(sprintf('%.2f', $csv->{spent}), sprintf('%.2f', $spent), "$name: CSV SUM(Spent) = SQL Spent ($spent)");

	# Excel: cached values (and live formulas) on the Summary sheet; SUM of Details' Spent.
	my $xlsx = read_file_json('xlsx', export('excel', $case->{filters}));
	my $s = $xlsx->{summary};
	my ($budget_label) = grep { /^Budget( \(|$)/ } keys %$s;
	is(sprintf('%.2f', $s->{$budget_label}{v}), sprintf('%.2f', $budget), "$name: Excel $budget_label = $budget");
	is(sprintf('%.2f', $s->{'Allocated (sum of category allocations)'}{v}), sprintf('%.2f', $allocated),
		"$name: Excel Allocated = $allocated");
	is(sprintf('%.2f', $s->{'Spent (expenses - refunds)'}{v}), sprintf('%.2f', $spent), "$name: Excel Spent = $spent");
	like($s->{'Spent (expenses - refunds)'}{f} // '', qr/^(SUM\(Details!H2:H\d+\)|0)$/, "$name: Excel Spent is a live SUM");
	is(sprintf('%.2f', $xlsx->{details_spent}), sprintf('%.2f', $spent), "$name: Excel SUM(Details!Spent) = Spent");
	is(sprintf('%.2f', $s->{'Remaining (budget - spent)'}{v}), sprintf('%.2f', $remaining), "$name: Excel Remaining");
	if ($s->{'Total due (excluding cancelled)'}) {
		is(sprintf('%.2f', $s->{'Overdue (due before the report date)'}{v}), sprintf('%.2f', $overdue), "$name: Excel overdue");
		is(sprintf('%.2f', $s->{'Upcoming (due on or after it)'}{v}), sprintf('%.2f', $upcoming), "$name: Excel upcoming");
		is(sprintf('%.2f', $s->{'Total due (excluding cancelled)'}{v}), sprintf('%.2f', $total_due), "$name: Excel total due");
	}
	else {
		is($total_due + 0, 0, "$name: no payments in scope, none in Excel");
	}

	# PDF: the same figures, as printed.
	my ($text) = run_command([ 'pdftotext', '-enc', 'UTF-8', '-layout', export('pdf', $case->{filters}), '-' ]);
	utf8::decode($text);
	for my $figure ([ Budget => $budget ], [ Allocated => $allocated ], [ Spent => $spent ],
		[ Remaining => $remaining ], [ overdue => $overdue ], [ upcoming => $upcoming ])
	{
		next if $figure->[0] =~ /due|upcoming/ && $total_due == 0;
		ok(index($text, euros($figure->[1])) >= 0, "$name: PDF shows $figure->[0] " . euros($figure->[1]));
	}
	if ($allocated > $budget) {
		my $over = sprintf('%.2f', $allocated - $budget);
		is(sprintf('%.2f', $s->{'Over-allocated by'}{v}), $over, "$name: Excel over-allocated by $over");
		ok(index($text, 'over-allocated by ' . euros($over)) >= 0, "$name: PDF says over-allocated by " . euros($over));
	}
	if ($case->{category_filter}) {
		like($text, qr/Venue and Catering · 1–31 March 2026 · paid only/, "$name: PDF states the scope in words");
		like($text, qr/total budget of €48,500\.00 covers every category/, "$name: PDF says Budget cannot follow the filter");
	}
	like($text, qr/Milestone notes|Reminder set/, "$name: PDF has milestone notes") if $case->{filters} =~ /include_notes/;
	unlike($text, qr/…/, "$name: PDF cuts no text");
}

# Milestones around today land in the right list, whatever their stored status.
my ($text) = run_command([ 'pdftotext', '-enc', 'UTF-8', '-layout', export('pdf', '{}'), '-' ]);
utf8::decode($text);
my ($overdue_part) = $text =~ /Overdue \(due before the report date, not paid\)(.*?)Upcoming \(due on or after/s;
my ($upcoming_part) = $text =~ /Upcoming \(due on or after the report date\)(.*?)(?:Paid ·|Cancelled \(listed)/s;
my ($yesterday, $today_long, $tomorrow) = split /\|/, $node->safe_psql('app',
	"SELECT trim(to_char(d - 1, 'FMDD FMMonth YYYY')), trim(to_char(d, 'FMDD FMMonth YYYY')), trim(to_char(d + 1, 'FMDD FMMonth YYYY'))
	   FROM (SELECT '$today'::date AS d) x");
s/\s+/ /g for $yesterday, $today_long, $tomorrow;
ok(defined $overdue_part && index($overdue_part, $yesterday) >= 0, "stored 'pending', due yesterday ($yesterday): overdue");
ok(defined $upcoming_part && index($upcoming_part, $today_long) >= 0, "stored 'overdue', due today ($today_long): upcoming");
ok(defined $overdue_part && index($overdue_part, $today_long) < 0, 'nothing due today is overdue');
like($text, qr/Cancelled \(listed, not counted\).*\Q$tomorrow\E/s, "cancelled, due tomorrow ($tomorrow): listed as cancelled");
unlike($text, qr/scheduled/i, 'no "scheduled" total');

# Characters XML forbids (U+FFFF, U+FFFE) in a title; ESC, \x01 and U+FFFF in a partner's
# name and a description.
$node->safe_psql('app', q{
	UPDATE auth.users SET raw_user_meta_data = jsonb_build_object('full_name', E'Jos\u00e9 \u001b[1m\u0001\uffff \u00d1\u00fa\u00f1ez')
	 WHERE id = '5a0e0000-0000-4000-8000-000000000012';
	UPDATE budget_transactions SET description = E'Deposit \u0001\u001b\uffff end' WHERE id = '5a0e0000-0000-4000-8002-000000000001'});
# (The request check refuses control characters in a custom title; names and descriptions
# come from the app's tables unchecked.)
my $title = '{"options": {"custom_title": "Our day \uffff\ufffe!"}, "include_notes": true}';
my $xlsx = read_file_json('xlsx', export('excel', $title));
ok($xlsx->{parts} >= 10, "every .xlsx part parses as XML ($xlsx->{parts} parts)");
is($xlsx->{title}, 'Our day !', 'Excel title without the forbidden characters');
my $csv = read_file_json('csv', export('csv', $title));
is($csv->{controls}, 0, 'CSV has no control characters');
($text) = run_command([ 'pdftotext', '-enc', 'UTF-8', export('pdf', $title), '-' ]);
is(scalar(() = $text =~ /[\x00-\x08\x0b\x0e-\x1f]/g), 0, 'PDF text has no control characters');
like($text, qr/Our day/, 'PDF title present');

$node->stop;
done_testing();
