# Shared by the benchmarks (test/bench/*.pl): the generated couples, the queue's statements
# as a pgbench step, and the CPU time a server spends.
package BenchSetup;

use strict;
use warnings;
use Exporter 'import';
use FindBin;
use lib "$FindBin::RealBin/../t";
use BudgetExportsNode qw(proc_stat);
use POSIX ();

our @EXPORT_OK = qw(add_bench_couple create_queue_step server_cpu_seconds median run_burst);

sub median {
	my @v = sort { $a <=> $b } grep { defined } @_;
	return undef unless @v;
	return $v[ $#v / 2 ] if @v % 2;
	return ($v[ @v / 2 - 1 ] + $v[ @v / 2 ]) / 2;
}

sub uuid_for { my ($kind, $n) = @_; return sprintf('be000000-0000-4000-%04d-%012d', $kind, $n); }

# A couple with a generated budget of $rows line items in 12 categories, and 12 payment
# milestones (the 22-column rows of the default data source). Returns { couple, user, rows }.
sub add_bench_couple {
	my ($node, $n, $rows) = @_;
	my ($couple, $user) = (uuid_for(1, $n), uuid_for(2, $n));
	$node->safe_psql('app', qq{
		INSERT INTO auth.users (id, email, raw_user_meta_data)
		VALUES ('$user', 'bench$n\@example.com', '{"full_name": "Partner $n"}');
		INSERT INTO public.couples (id, user_id) VALUES ('$couple', '$user');
		INSERT INTO public.budget_master (user_id, total_budget, currency_code) VALUES ('$user', 90000, 'EUR');
		INSERT INTO public.budget_categories (id, user_id, name, allocated_amount, spent_amount, sort_order)
		SELECT ('be000000-0000-4000-0003-' || lpad(($n * 100 + c)::text, 12, '0'))::uuid, '$user',
		       'Category ' || c, 1000 * c, 0, c
		  FROM generate_series(1, 12) AS c;
		INSERT INTO public.budget_transactions (user_id, category_id, amount, description, transaction_date,
		                                        transaction_type, payment_method, vendor_name)
		SELECT '$user', ('be000000-0000-4000-0003-' || lpad(($n * 100 + 1 + n % 12)::text, 12, '0'))::uuid,
		       10 + n % 900, 'Line item number ' || n || ' of a long budget',
		       DATE '2026-01-05' + n % 300, CASE WHEN n % 20 = 0 THEN 'refund' ELSE 'expense' END, 'card',
		       'Vendor ' || n % 50
		  FROM generate_series(1, $rows) AS n;
		INSERT INTO public.budget_payment_milestones (category_id, milestone_name, amount, due_date, payment_status)
		SELECT ('be000000-0000-4000-0003-' || lpad(($n * 100 + c)::text, 12, '0'))::uuid,
		       'Deposit ' || c, 100 * c, DATE '2026-06-01' + c, 'pending'
		  FROM generate_series(1, 12) AS c;});
	return { couple => $couple, user => $user, rows => $rows };
}

# bench_step(k, batched) in database "app": the queue's statements for k jobs in one
# transaction, as the worker runs them for each job (the claim, the object key, the result),
# without reading, rendering or storing anything; k claims of one job, or one claim of k
# (batched: a copy of the claim function with LIMIT k). Returns the jobs it finished.
sub create_queue_step {
	my ($node) = @_;
	$node->safe_psql('app', q{
DO $$ BEGIN
  EXECUTE replace(replace(pg_get_functiondef('budget_exports_claim_job(text, integer)'::regprocedure),
                  'budget_exports_claim_job(worker_name text, lease_seconds integer)', 'bench_claim_jobs(worker_name text, lease_seconds integer, max_jobs integer)'),
                  'LIMIT 1', 'LIMIT max_jobs');
END $$;
-- what the worker does for a claimed job: record its object key, then its result
CREATE FUNCTION bench_finish(queue_id uuid, lease_token uuid, storage_key text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM budget_exports_record_object_key(queue_id, lease_token, storage_key);
  PERFORM budget_exports_complete_job(queue_id, lease_token, storage_key, 'file:///x', 1000, repeat('a', 64),
                                      'text/csv', '{"a": 1}');
END $$;
CREATE FUNCTION bench_step(k integer, batched boolean) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE r record; n integer := 0; w text := 'bench ' || pg_backend_pid();
BEGIN
  FOR i IN 1 .. CASE WHEN batched THEN 1 ELSE k END LOOP
    FOR r IN SELECT * FROM bench_claim_jobs(w, 300, CASE WHEN batched THEN k ELSE 1 END) LOOP
      PERFORM bench_finish(r.queue_id, r.lease_token, r.couple_id || '/' || r.export_id || '/' || r.file_name);
      n := n + 1;
    END LOOP;
  END LOOP;
  RETURN n;
END $$;});
	return;
}

# Commits the exports of $values (an INSERT's VALUES list for budget_exports (couple_id,
# export_type)) at once and waits until none is generating; returns how many completed and
# the seconds from the commit to the last one's end. Waited for inside one session (a
# statement every 20 ms): poll_query_until starts a psql every 100 ms, which took 5 % of
# the two cores from the workers it measures.
sub run_burst {
	my ($node, $values) = @_;
	$node->safe_psql('app', 'TRUNCATE budget_exports CASCADE');
	my $start = $node->safe_psql('app', qq{
		INSERT INTO budget_exports (couple_id, export_type) VALUES $values;
		SELECT extract(epoch FROM clock_timestamp())});
	$node->safe_psql('app', q{
		DO $$ BEGIN
		  WHILE EXISTS (SELECT 1 FROM budget_exports WHERE status = 'generating') LOOP
		    PERFORM pg_sleep(0.02);
		  END LOOP;
		END $$}, timeout => 600);
	my ($end, $done) = split /\|/, $node->safe_psql('app',
		"SELECT extract(epoch FROM max(updated_at)), count(*) FILTER (WHERE status = 'completed') FROM budget_exports");
	return ($done, $end - $start);
}

# CPU seconds (user + system) the node's server has used so far: the postmaster and every
# process under it (backends, background workers and their renderers), with what each
# has reaped from children that ended (a backend that exited counts in the postmaster's).
sub server_cpu_seconds {
	my ($node) = @_;
	open my $fh, '<', $node->data_dir . '/postmaster.pid' or die "postmaster.pid: $!";
	my $postmaster = <$fh>;
	close $fh;
	chomp $postmaster;
	my %parent;
	my %ticks;
	for my $pid (map { m{^/proc/(\d+)$} ? $1 : () } glob '/proc/[0-9]*') {
		my (undef, @f) = proc_stat($pid) or next;
		$parent{$pid} = $f[1];
		$ticks{$pid} = $f[11] + $f[12] + $f[13] + $f[14];
	}
	my $total = 0;
	for my $pid (keys %ticks) {
		# the postmaster itself, or a process with the postmaster among its ancestors
		for (my $p = $pid, my $depth = 0; $p && $depth < 8; $p = $parent{$p} // 0, $depth++) {
			if ($p == $postmaster) { $total += $ticks{$pid}; last; }
		}
	}
	return $total / (POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100);
}

1;
