# While the app's own queries run, the worker paces its renderer (issue #14): it runs in
# slices of 10 ms and is stopped (SIGSTOP) in between, so that all renderers together use at
# most budget_exports.render_busy_share of one CPU (split among those rendering at that
# moment); an idle app, a client that only sleeps in pg_sleep, or a share of 100 for a lone
# renderer let it run without pause. Paused time never counts against
# render_time_limit, and the renderer is never left stopped after a job.
#
# While an export renders this test waits without any query of its own (it watches the file
# store's directory): its own polling would be an app query too.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use BudgetExportsNode qw(new_export_node worker_pid renderer_pids proc_stat add_generated_couple);
use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);

my $node = new_export_node('pacing', 'budget_exports.render_busy_share' => 20);    # one worker: duty 0.2
my $store = $node->data_dir . '/pgsql_tmp_budget_exports/budget-exports';    # the default file:// store

my $couple = add_generated_couple($node, 1, 20_000);
$node->safe_psql('app', 'ANALYZE');

my $psql = $node->config_data('--bindir') . '/psql';
# A client backend running a statement for as long as the test needs: the app is busy.
sub start_client {
	my ($sql) = @_;
	return IPC::Run::start([ $psql, '-X', '-q', '-d', $node->connstr('app'), '-c', $sql ],
		'>', \my $out, '2>', \my $err);
}
sub stop_client {
	my ($h, $pattern) = @_;
	$node->safe_psql('app', "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '$pattern' AND pid <> pg_backend_pid()");
	$h->finish;
}
sub wait_until_running {
	my ($pattern) = @_;
	$node->poll_query_until('app', "SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE '$pattern' AND state = 'active' AND pid <> pg_backend_pid()")
	  or die "the client did not start";
}

# Requests a 20k-line PDF and waits for its file without querying; returns its timings and
# the renderer states seen meanwhile (from /proc).
sub export_pdf {
	# the renderer of the last job (it is reused), looked up before: no query while it renders
	my ($renderer) = renderer_pids(worker_pid($node));
	my $id = $node->safe_psql('app',
		"INSERT INTO budget_exports (couple_id, export_type) VALUES ('$couple', 'pdf') RETURNING id");
	my %states;
	my $deadline = time + 60;
	until (glob("$store/$couple/$id/*") || time > $deadline) {
		if ($renderer) {
			my (undef, $state) = proc_stat($renderer);
			$states{$state}++ if defined $state;
		}
		usleep(2_000);
	}
	$node->poll_query_until('app', "SELECT status <> 'generating' FROM budget_exports WHERE id = '$id'")
	  or die "export $id did not finish";
	my ($status, $render, $paused) = split /\|/, $node->safe_psql('app', qq{
		SELECT e.status, q.timings ->> 'render_ms', q.timings ->> 'renderer_paused_ms'
		  FROM budget_exports e JOIN export_queue q ON q.export_id = e.id WHERE e.id = '$id'});
	return { status => $status, render_ms => $render, paused_ms => $paused, states => \%states,
		renderer => $renderer };
}

# Requests n 20k-line PDFs in one statement (each worker takes one) and waits for their
# files without querying; returns their statuses and timings.
sub export_pdfs {
	my ($n) = @_;
	my @ids = split /\n/, $node->safe_psql('app',
		"INSERT INTO budget_exports (couple_id, export_type) SELECT '$couple', 'pdf' FROM generate_series(1, $n) RETURNING id");
	my $deadline = time + 120;
	usleep(20_000) until (!grep { !glob("$store/$couple/$_/*") } @ids) || time > $deadline;
	my $list = join(',', map { "'$_'" } @ids);
	$node->poll_query_until('app', "SELECT bool_and(status <> 'generating') FROM budget_exports WHERE id IN ($list)")
	  or die 'the exports did not finish';
	return map {
		my ($status, $render, $paused) = split /\|/, $node->safe_psql('app', qq{
			SELECT e.status, q.timings ->> 'render_ms', q.timings ->> 'renderer_paused_ms'
			  FROM budget_exports e JOIN export_queue q ON q.export_id = e.id WHERE e.id = '$_'});
		{ status => $status, render_ms => $render, paused_ms => $paused }
	} @ids;
}

sub settings {
	my (%set) = @_;
	$node->safe_psql('postgres', join('', map { "ALTER SYSTEM SET budget_exports.$_ = '$set{$_}';" } sort keys %set));
	$node->reload;
	usleep(300_000);
}

# warm up: the renderer starts, and its pid is known for the next exports
my $warm = export_pdf();
is($warm->{status}, 'completed', 'warm-up export completed');

# 1. the app is idle: no pause
my $idle = export_pdf();
is($idle->{status}, 'completed', 'idle app: the export completed');
cmp_ok($idle->{paused_ms}, '==', 0, 'idle app: the renderer was never paused');
ok(!$idle->{states}{T}, 'idle app: the renderer was never seen stopped');

# 2. the app is busy (a CPU-bound query): paced at a fifth of a CPU
my $busy_sql = 'SELECT count(*) FROM generate_series(1, 2000000000) AS busy_app_query';
my $client = start_client($busy_sql);
wait_until_running('%busy_app_query%');
my $busy = export_pdf();
is($busy->{status}, 'completed', 'busy app: the export completed');
cmp_ok($busy->{paused_ms}, '>', 0.5 * $busy->{render_ms},
	"busy app: paused most of the render ($busy->{paused_ms} of $busy->{render_ms} ms, a 10 ms slice then 40 ms)");
ok($busy->{states}{T}, 'busy app: the renderer was seen stopped (SIGSTOP), ' . ($busy->{states}{T} // 0) . ' times');
my (undef, $after) = proc_stat($busy->{renderer});
isnt($after, 'T', "after the job the renderer is not left stopped (state $after)");

# 3. paused time does not count against the time limit: at a twentieth of a CPU a render of
# this size spends seconds paused, more than the 1 s limit. The renderer runs at nice 0 here:
# what this checks is the pacing, and at nice 10 next to CPU-bound work (the busy query, and
# whatever else the machine runs) its running slices alone took more than the 1 s on a
# loaded machine (two CI runs at once), so the limit ended the render for its CPU wait.
settings(render_busy_share => 5, render_time_limit => '1s', render_nice => 0);
my $slow = export_pdf();
is($slow->{status}, 'completed', "a render paused longer than render_time_limit still completes ($slow->{render_ms} ms)");
cmp_ok($slow->{render_ms}, '>', 1000, 'its wall time passed the limit');

# 4. a share of 100 never pauses, busy or not
settings(render_busy_share => 100, render_time_limit => '2min', render_nice => 10);
my $full = export_pdf();
is($full->{status}, 'completed', 'share 100: the export completed');
cmp_ok($full->{paused_ms}, '==', 0, 'share 100: never paused although the app is busy');
stop_client($client, '%busy_app_query%');

# 5. a client that only sleeps in a statement (pg_sleep) is not a busy app
settings(render_busy_share => 20);
$client = start_client('SELECT pg_sleep(60) AS sleeping_app_query');
wait_until_running('%sleeping_app_query%');
my $sleeping = export_pdf();
is($sleeping->{status}, 'completed', 'sleeping client: the export completed');
cmp_ok($sleeping->{paused_ms}, '==', 0, 'sleeping client: the renderer was never paused');
stop_client($client, '%sleeping_app_query%');

# 6. the share is split among the renderers rendering at that moment, not among the workers
# configured: with two workers and a share of 50, two renders at once get a quarter of a CPU
# each (paused about 3/4 of the time), a lone render the whole half (paused about half).
# The pair runs first: a renderer still counted after its job would slow the lone one.
$node->safe_psql('postgres', 'ALTER SYSTEM SET budget_exports.workers = 2');
$node->restart;
$node->poll_query_until('app',
	"SELECT count(*) = 2 FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND datname = 'app'")
  or die 'two workers did not start';
settings(render_busy_share => 50);
export_pdfs(2);    # warm up both workers' renderers
$client = start_client($busy_sql);
wait_until_running('%busy_app_query%');
my @pair = export_pdfs(2);
for my $r (@pair) {
	is($r->{status}, 'completed', 'two at once: the export completed');
	cmp_ok($r->{paused_ms}, '>', 0.62 * $r->{render_ms},
		"two at once: a quarter of a CPU each ($r->{paused_ms} of $r->{render_ms} ms paused)");
}
my ($lone) = export_pdfs(1);
is($lone->{status}, 'completed', 'alone: the export completed');
cmp_ok($lone->{paused_ms}, '<', 0.62 * $lone->{render_ms},
	"alone: the whole share, half a CPU ($lone->{paused_ms} of $lone->{render_ms} ms paused)");
cmp_ok($lone->{paused_ms}, '>', 0.3 * $lone->{render_ms}, 'alone: still paced while the app is busy');
stop_client($client, '%busy_app_query%');

$node->stop;
done_testing();
