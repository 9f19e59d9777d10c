# Shared helpers of the TAP suites: a PostgreSQL cluster with budget_exports preloaded,
# the Supabase-like fixture and the sample couple, and the local Storage test server.
package BudgetExportsNode;

use strict;
use warnings;
use Exporter 'import';
use File::Basename qw(dirname);
use File::Spec;
use HTTP::Tiny;
use IPC::Run;
use POSIX ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More ();
use Time::HiRes qw(usleep time);

our @EXPORT_OK = qw(new_export_node request_exports wait_for_exports start_storage_server
  storage_control sample_couple fixture_path worker_pid renderer_pids proc_stat cpu_seconds run_notify_latency
  add_generated_couple);

use constant sample_couple => '5a0e0000-0000-4000-8000-000000000001';

my $top = File::Spec->rel2abs(dirname(__FILE__) . '/../..');

sub fixture_path { return "$top/test/fixtures/$_[0]"; }

# Test names may quote amounts in euros and names with accents. PostgreSQL 17's log tee
# (PostgreSQL::Test::SimpleTee) makes warnings fatal, so a "Wide character in print" would
# end the test: the test output handles (and the files they tee to) write UTF-8.
sub utf8_test_output {
	my $builder = Test::More->builder;
	for my $handle ($builder->output, $builder->failure_output, $builder->todo_output) {
		my $tee = tied *$handle;
		binmode $_, ':encoding(UTF-8)' for ($tee ? @$tee : ($handle));
	}
	return;
}

# A started node whose database "app" has the fixture, the sample couple and the extension.
# %conf: extra postgresql.conf lines, e.g. ('budget_exports.workers' => 2).
sub new_export_node {
	my ($name, %conf) = @_;
	utf8_test_output();
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	my %settings = (
		shared_preload_libraries => "'budget_exports'",
		'budget_exports.database' => "'app'",
		'budget_exports.poll_interval' => "'200ms'",
		'budget_exports.backoff_base' => "'100ms'",
		'budget_exports.backoff_max' => "'1s'",
		'budget_exports.rate_limit_per_hour' => 100000,
		'budget_exports.max_in_flight' => 1000,
		%conf);
	$node->append_conf('postgresql.conf',
		join("\n", map { "$_ = $settings{$_}" } sort keys %settings) . "\n");
	$node->start;
	$node->safe_psql('postgres', 'CREATE DATABASE app');
	for my $file ('supabase_world.sql', 'sample_couple.sql') {
		$node->command_ok(
			[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('app'), '-f', fixture_path($file) ],
			"fixture $file loads");
	}
	$node->safe_psql('app', 'CREATE EXTENSION budget_exports');
	return $node;
}

# The pid of the export worker of database "app" (one a line when the node runs several).
sub worker_pid {
	my ($node) = @_;
	return $node->safe_psql('app',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'budget_exports worker' AND datname = 'app'");
}

# A couple with a generated budget: couple number n (its ids derive from it), one category,
# `rows` line items. Returns the couple's id.
sub add_generated_couple {
	my ($node, $n, $rows) = @_;
	my $couple = sprintf('b1000000-0000-4000-8000-%012d', $n);
	my $user = sprintf('b1000000-0000-4000-8000-%012d', 100 + $n);
	my $category = sprintf('b1000000-0000-4000-8001-%012d', $n);
	$node->safe_psql('app', qq{
		INSERT INTO auth.users (id, email, raw_user_meta_data)
		VALUES ('$user', 'couple$n\@example.com', '{"full_name": "Partner $n"}');
		INSERT INTO public.couples (id, user_id) VALUES ('$couple', '$user');
		INSERT INTO public.budget_master (user_id, total_budget, currency_code) VALUES ('$user', 90000, 'EUR');
		INSERT INTO public.budget_categories (id, user_id, name, allocated_amount, spent_amount, sort_order)
		VALUES ('$category', '$user', 'Venue', 50000, 0, 1);
		INSERT INTO public.budget_transactions (user_id, category_id, amount, description, transaction_date,
		                                        transaction_type, payment_method, vendor_name)
		SELECT '$user', '$category', 10 + n % 900, 'Line item number ' || n || ' of a long budget',
		       DATE '2026-01-05' + n % 300, 'expense', 'card', 'Vendor ' || n % 50
		  FROM generate_series(1, $rows) AS n;});
	return $couple;
}

# Benchmarks: runs test/bench/notify_latency (make builds it) for ROUNDS exports of COUPLE;
# returns its output, one latency in ms per line (commit -> NOTIFY received).
sub run_notify_latency {
	my ($connstr, $couple, $rounds, $format) = @_;
	my $program = "$top/test/bench/notify_latency";
	die "$program is missing: run the benchmark through make" unless -x $program;
	my $out = `'$program' '$connstr' '$couple' $rounds @{[$format // 'csv']}`;
	die "notify_latency failed ($?)" if $?;
	return $out;
}

# A process's /proc/<pid>/stat: its name, then the fields after it (index 0 is field 3,
# the state: 1 ppid, 3 session, 11 utime, 12 stime, 13 cutime, 14 cstime, 16 nice). Empty
# when it is gone.
sub proc_stat {
	my ($pid) = @_;
	open my $fh, '<', "/proc/$pid/stat" or return;
	my $line = <$fh> // return;
	close $fh;
	my ($name, $rest) = $line =~ /^\d+ \((.*)\) (.*)$/s or return;
	return ($name, split ' ', $rest);
}

# CPU time (user + system, in seconds) a process has used so far; with $children, also that
# of the children it has waited for (a renderer it replaced). 0 when it is gone.
sub cpu_seconds {
	my ($pid, $children) = @_;
	my (undef, @f) = proc_stat($pid) or return 0;
	my $ticks = $f[11] + $f[12] + ($children ? $f[13] + $f[14] : 0);
	return $ticks / (POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100);
}

# Renderer processes (budget_exports_renderer) whose parent is $parent, from /proc.
sub renderer_pids {
	my ($parent) = @_;
	my @pids;
	for my $pid (map { m{^/proc/(\d+)$} ? $1 : () } glob '/proc/[0-9]*') {
		my ($name, @fields) = proc_stat($pid) or next;
		push @pids, $pid if $fields[1] == $parent && $name =~ /^budget_exports/;
	}
	return @pids;
}

# Inserts one export per type (as the superuser, so no rate limit) and returns their ids.
sub request_exports {
	my ($node, @types) = @_;
	my $values = join(', ', map { "('" . sample_couple . "', '$_')" } @types);
	my $ids = $node->safe_psql('app',
		"INSERT INTO budget_exports (couple_id, export_type) VALUES $values RETURNING id");
	return split /\n/, $ids;
}

# Waits until none of the exports is generating; returns { id => status }.
sub wait_for_exports {
	my ($node, $timeout_s, @ids) = @_;
	my $list = join(', ', map { "'$_'" } @ids);
	$node->poll_query_until('app',
		"SELECT count(*) = 0 FROM budget_exports WHERE id IN ($list) AND status = 'generating'",
		't') or return undef;
	my %status = map { split /\|/ } split /\n/,
	  $node->safe_psql('app', "SELECT id, status FROM budget_exports WHERE id IN ($list)");
	return \%status;
}

# Starts test/fixtures/storage_server.py on a free loopback port (or on port => N, to start
# it again after a simulated outage); returns ($harness, $base_url, $data_dir).
sub start_storage_server {
	my ($tmp, %opt) = @_;
	my $port_file = "$tmp/storage.port";
	my $data_dir = "$tmp/storage-data";
	mkdir $data_dir;
	unlink $port_file;
	my $harness = IPC::Run::start(
		[ 'python3', fixture_path('storage_server.py'), '--port', $opt{port} // 0, '--port-file', $port_file,
			'--data-dir', $data_dir, '--bucket', 'budget-exports', '--service-key', 'test-service-key' ],
		'>>', "$tmp/storage.log", '2>&1');
	for (1 .. 100) {
		last if -s $port_file;
		usleep(100_000);
	}
	die "storage test server did not start" unless -s $port_file;
	my $port = slurp_file($port_file);
	chomp $port;
	return ($harness, "http://127.0.0.1:$port", $data_dir);
}

# POSTs JSON to the server's control endpoint (faults, reset).
sub storage_control {
	my ($base_url, $what, $json) = @_;
	my $response = HTTP::Tiny->new(timeout => 10)->post("$base_url/__control/$what",
		{ content => $json, headers => { 'Content-Type' => 'application/json' } });
	die "storage control $what failed: $response->{status} $response->{content}" unless $response->{success};
	return $response->{content};
}

1;
