# stats.sh: figures of the VM benchmarks (bench/vm-*-guest), sourced.
# Each run appends "VARIANT METRIC VALUE" to the file $RESULTS.

record() { # VARIANT ROUND METRIC VALUE
	echo "$1 $3 $4" >>"$RESULTS"
	printf '  round %s  %-15s %-9s %s\n' "$2" "$1" "$3" "$4"
}

median() { # VARIANT METRIC
	awk -v v="$1" -v m="$2" '$1 == v && $2 == m { print $3 }' "$RESULTS" | sort -g |
		awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2];
			else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

target() { # DESCRIPTION VALUE OP(ge|le) FACTOR REFERENCE
	awk -v d="$1" -v x="$2" -v op="$3" -v f="$4" -v ref="$5" 'BEGIN {
		if (x == "-" || ref == "-" || ref == 0) { printf "target %s: NOT MEASURED\n", d; exit }
		ratio = x / ref
		met = (op == "ge") ? (ratio >= f) : (ratio <= f)
		printf "target %s: %s (%.2fx)\n", d, met ? "MET" : "MISSED", ratio }'
}
