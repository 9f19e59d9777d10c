# The worker reads the default data source itself (issue #14: cursors in one snapshot, line
# items in index order, binary cells): its files must equal those made through the
# data-source function. The function is copied under another name and set as an operator's
# own data source (budget_exports.data_source), which the worker calls as before; both
# paths export the same requests and the CSV files (every line item, every field, the
# summary) must be identical but for the time they were generated at.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node wait_for_exports sample_couple add_generated_couple);
use PostgreSQL::Test::Utils;
use Test::More;

# auto_explain logs the plan of every statement the worker runs (a plan is looked at below)
my $node = new_export_node('streaming', 'track_functions' => "'all'",
	shared_preload_libraries => "'budget_exports,auto_explain'", 'auto_explain.log_min_duration' => 0);
# Above 5,000 line items the worker plans the unfiltered line-item query for the couple
# (a kept generic plan would sort every row first): a couple of 6,000.
my $large_couple = add_generated_couple($node, 1, 6000);

# Line items of both partners, on the same days, with tags, notes, NULLs, refunds and an
# uncategorised one, so that merge order, ties (same date: by id) and every cell type count.
$node->safe_psql('app', q{
	INSERT INTO public.budget_transactions (user_id, category_id, amount, description, transaction_date,
	                                        transaction_type, payment_method, vendor_name, notes, tags)
	SELECT CASE WHEN n % 2 = 0 THEN c.user_id ELSE coalesce(c.partner_user_id, c.user_id) END,
	       CASE WHEN n % 7 = 0 THEN NULL ELSE (SELECT bc.id FROM public.budget_categories bc
	                                            WHERE bc.user_id = c.user_id ORDER BY bc.sort_order, bc.id
	                                            OFFSET n % 5 LIMIT 1) END,
	       (n % 400) + 0.25, 'Streamed line ' || n || CASE WHEN n % 3 = 0 THEN ' "quoted", ; €' ELSE '' END,
	       DATE '2026-02-01' + n % 20, CASE WHEN n % 11 = 0 THEN 'refund' WHEN n % 13 = 0 THEN 'income' ELSE 'expense' END,
	       CASE WHEN n % 4 = 0 THEN NULL ELSE 'card' END, CASE WHEN n % 5 = 0 THEN NULL ELSE 'Vendor ' || n % 9 END,
	       CASE WHEN n % 6 = 0 THEN 'note ' || n END,
	       CASE WHEN n % 3 = 0 THEN ARRAY['tag' || n, 'zweites Etikett'] ELSE '{}' END
	  FROM generate_series(1, 3000) AS n, public.couples c
	 WHERE c.id = '} . sample_couple . q{';});

# Without filters the worker reads the line items without the category join and names their
# categories itself (default_source_reader.cpp, CategoryNames): a line item may point to a
# category that is not the couple's (another user's, as the join still names it), so a few do.
$node->safe_psql('app', q{
	INSERT INTO auth.users (id, email) VALUES ('0ce00000-0000-4000-8000-000000000001', 'elsewhere@example.com');
	INSERT INTO public.budget_categories (id, user_id, name, allocated_amount, spent_amount, sort_order)
	VALUES ('0ce00000-0000-4000-8000-0000000000c1', '0ce00000-0000-4000-8000-000000000001', 'Another couple''s list',
	        100, 0, 1);
	INSERT INTO public.budget_transactions (user_id, category_id, amount, description, transaction_date,
	                                        transaction_type)
	SELECT c.user_id, '0ce00000-0000-4000-8000-0000000000c1', 12.5 * n, 'Filed elsewhere ' || n,
	       DATE '2026-02-03' + n, 'expense'
	  FROM generate_series(1, 3) AS n, public.couples c WHERE c.id = '} . sample_couple . q{';});

$node->safe_psql('app', q{
	DO $$ BEGIN
	  EXECUTE replace(pg_get_functiondef('budget_exports_budget_rows(uuid, jsonb)'::regprocedure),
	                  'budget_exports_budget_rows', 'copied_budget_rows');
	END $$;
	GRANT EXECUTE ON FUNCTION public.copied_budget_rows(uuid, jsonb) TO service_role;});

sub export_csv {
	my ($filters, $couple) = @_;
	$couple //= sample_couple;
	my $id = $node->safe_psql('app', "INSERT INTO budget_exports (couple_id, export_type, export_filters)
		VALUES ('$couple', 'csv', '$filters') RETURNING id");
	my $status = wait_for_exports($node, 120, $id);
	is($status->{$id}, 'completed', "csv export completed: $filters")
	  or diag($node->safe_psql('app', "SELECT error_message FROM budget_exports WHERE id = '$id'"));
	(my $path = $node->safe_psql('app', "SELECT file_url FROM budget_exports WHERE id = '$id'")) =~ s{^file://}{};
	my $text = slurp_file($path);
	my $items = $node->safe_psql('app', "SELECT timings ->> 'line_items' FROM export_queue WHERE export_id = '$id'");
	$text =~ s/\d{4}-\d\d-\d\d \d\d:\d\d UTC/<generated at>/g;
	return ($text, $items);
}

sub use_data_source {
	my ($name) = @_;
	$node->safe_psql('postgres', "ALTER SYSTEM SET budget_exports.data_source = '$name'");
	$node->reload;
	$node->poll_query_until('app', "SELECT current_setting('budget_exports.data_source') = '$name'");
	sleep 1;    # the worker reloads between jobs
}

my @cases = (
	'{}',
	'{"include_notes": true}',
	'{"payment_status": "paid"}',
	'{"categories": ["Venue", "Catering"], "payment_status": "paid"}',
	'{"date_range": {"start": "2026-02-05", "end": "2026-02-12"}, "amount_range": {"min": 50, "max": 300}}',
	'{"vendor_names": ["vendor 3", "Vendor 4"], "include_notes": true}',
	'{"payment_status": "pending"}',
);
my %by_function;
use_data_source('public.copied_budget_rows');
$by_function{$_} = [ export_csv($_) ] for @cases;
my @large_by_function = export_csv('{}', $large_couple);
# (the comparison means something only if the first round really went through the function)
sub calls {
	my ($function) = @_;
	$node->safe_psql('app', 'SELECT pg_stat_force_next_flush()') if $node->pg_version >= 15;
	return $node->safe_psql('app',
		"SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions WHERE funcname = '$function'");
}
$node->poll_query_until('app', "SELECT coalesce(sum(calls), 0) >= @{[ @cases + 1 ]} FROM pg_stat_user_functions
	WHERE funcname = 'copied_budget_rows'");
is(calls('copied_budget_rows'), @cases + 1, 'the first round called the copied function once per export');
use_data_source('budget_exports_budget_rows');
for my $filters (@cases) {
	my ($text, $items) = export_csv($filters);
	my ($expected, $expected_items) = @{ $by_function{$filters} };
	cmp_ok($items, '>', 0, "line items in scope: $filters") if $filters !~ /pending/;
	is($items, $expected_items, "the same number of line items as through the function: $filters");
	like($text, qr/Another couple's list/, "a line item filed under a category that is not the couple's is named: $filters")
	  if $filters eq '{}';
	ok($text eq $expected, "the same CSV as through the function: $filters")
	  or diag("first difference at byte " . (grep { substr($text, $_, 1) ne substr($expected, $_, 1) } 0 .. length $text)[0]);
}

# the large couple: the same file, from a plan made for its user id (where the planner can
# merge the index scans in date order and stream), where smaller couples share one plan
my $log_offset = -s $node->logfile;
my ($large_text, $large_items) = export_csv('{}', $large_couple);
is($large_items, 6000, 'the large couple: every line item');
ok($large_text eq $large_by_function[0], 'the large couple: the same CSV as through the function');
my $log = substr(slurp_file($node->logfile), $log_offset);
my ($plan) = $log =~ /(Query Text: SELECT t\.transaction_date, t\.id, t\.category_id::text.*?)(?:\n\S|\z)/s;
my $large_user = $node->safe_psql('app', "SELECT user_id FROM public.couples WHERE id = '$large_couple'");
like($plan // '', qr/user_id = '$large_user'::uuid/, 'the large couple\'s line items: a plan for its user id')
  or diag($plan // 'no plan logged');
$log_offset = -s $node->logfile;
export_csv('{}');
$log = substr(slurp_file($node->logfile), $log_offset);
($plan) = $log =~ /(Query Text: SELECT t\.transaction_date, t\.id, t\.category_id::text.*?)(?:\n\S|\z)/s;
like($plan // '', qr/user_id = \(\$1\)::uuid/, 'a smaller couple\'s line items: the plan kept for every couple')
  or diag($plan // 'no plan logged');

is(calls('budget_exports_budget_rows'), 0, 'the default data source is read without calling its function');

done_testing();
