# The installed renderer program (budget_exports_renderer) puts faster code in place of
# some of its libraries' functions: minizip's deflate level (xlsx/minizip_level.cpp),
# libharu's byte-by-byte memory functions (pdf/libharu_memory.cpp) and libxlsxwriter's cell
# writers (xlsx/lxw_cell_writers.cpp). The libraries reach these definitions only if the
# program exports them: built by PGXS with -fvisibility=hidden (PostgreSQL 16 and later)
# they were local to the program, and the libraries silently called their own. This checks
# the program as installed for the PostgreSQL under test, with `nm -D`.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('renderer_program');  # never started: only its pg_config
my $renderer = $node->config_data('--pkglibdir') . '/budget_exports_renderer';
ok(-x $renderer, "the renderer program is installed: $renderer");

my ($stdout, $stderr);
IPC::Run::run([ 'nm', '-D', '--defined-only', $renderer ], '>', \$stdout, '2>', \$stderr)
  or BAIL_OUT("nm -D $renderer failed: $stderr");
my %exported = map { (split ' ')[2] => 1 } grep { /^\S+ [TW] / } split /\n/, $stdout;

for my $name (qw(zipOpenNewFileInZip4_64 HPDF_MemSet HPDF_MemCpy lxw_rowcol_to_cell _write_number_cell
	_write_inline_string_cell lxw_has_control_characters))
{
	ok($exported{$name}, "the renderer exports its $name, so that the library calls it");
}

# and a name it does not define is not found by accident
ok(!$exported{HPDF_New}, 'libharu\'s own functions stay libharu\'s');

done_testing();
