# Shared by the bats tests. L2TPSRV_BUILDDIR is where the tree was built
# (tests/run-all sets it; default: the source tree).
SRCDIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BUILDDIR=${L2TPSRV_BUILDDIR:-$SRCDIR}
