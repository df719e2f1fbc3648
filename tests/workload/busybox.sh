# tests/workload/busybox.sh: a BusyBox workload, POSIX sh. Run as init on
# Amphi (by /usr/libexec/amphi-tests/busybox_workload: /bin/sh THIS) and
# on the host with the same BusyBox (tests/integration/busybox_workload.sh);
# the two outputs must be identical, and both must exit with status 3.
#
# Everything happens in $WORKDIR (default /tmp/work), created here and
# removed at the end. Output is deterministic: fixed mtimes (touch -d),
# numeric owners are never printed, directory sizes and link counts (which
# differ between file systems) are left out, dates come from `date -d @N`.
# stdout is the console, a terminal, in Amphi and a file on the host: so
# no command may format by terminal (plain `ls` prints columns on a
# terminal: always `ls -1`).
set -u
WORKDIR=${WORKDIR:-/tmp/work}
export TZ=UTC LC_ALL=C

section() { echo "== $*"; }

rm -rf "$WORKDIR"
mkdir -p "$WORKDIR" || exit 1
cd "$WORKDIR" || exit 1

section echo
echo hello world
echo -n "no newline"; echo
echo "tab	inside" "and  two  spaces"
printf '%s=%d %05.1f %x\n' answer 42 3.14159 255

section mkdir-touch-ls
mkdir -p a/b/c a/d
echo one >a/one.txt
printf 'two\nlines\n' >a/b/two.txt
: >a/b/c/empty
touch -d '2020-01-01 00:00' a/one.txt a/b/two.txt a/b/c/empty
# Mode, size, date and name of regular files; mode and name of the rest.
listing() {
	ls -ln "$@" | awk '/^total/ { next }
		/^-/ { print $1, $5, $6, $7, $8, $9; next }
		{ print $1, $NF }'
}
listing a
listing a/b
ls -1 a/b/c
ls -1 a | sort -r

section cat-cp-mv-rm
cat a/one.txt a/b/two.txt
cp a/one.txt a/copy.txt
cp -r a/b a/b2
mv a/copy.txt a/moved.txt
ls -1 a
cat a/moved.txt
cmp a/one.txt a/moved.txt && echo same
rm -r a/b2
[ -e a/b2 ] || echo "b2 removed"
rm a/moved.txt

section ln
ln -s one.txt a/link
readlink a/link
cat a/link
ln a/one.txt a/hard
echo changed >>a/hard
cat a/one.txt
[ -L a/link ] && echo "a/link is a symlink"
rm a/hard

section find
find a | sort
find a -type f -name '*.txt' | sort
find a -type d | sort | wc -l
find a -empty | sort

section grep-sed-awk
cat >words <<'END'
apple 3 red
banana 12 yellow
cherry 7 red
date 1 brown
elderberry 30 black
fig 7 purple
END
grep red words
grep -c e words
grep -v -e apple -e fig words | grep -n a
grep -E '^[a-c]' words | cut -d' ' -f1
grep -i BANANA words
sed 's/red/RED/' words | head -3
sed -n '2,4p' words
sed -e '/^d/d' -e 's/ [0-9]* / # /' words
awk '{ total += $2 } END { print "total", total, "rows", NR }' words
awk '$2 > 5 { printf "%-12s%4d\n", $1, $2 * 2 }' words
awk -F' ' '{ count[$3]++ } END { for (c in count) print c, count[c] }' words | sort

section sort-uniq-wc-head-tail
sort -k2,2n words | cut -d' ' -f1,2
sort -k3 -k1r words | head -n 3
cut -d' ' -f3 words | sort | uniq -c
cut -d' ' -f3 words | sort | uniq -d
wc -l words
wc -w <words
wc -c <words
head -n 2 words
tail -n 2 words
tail -c 12 words

section tr-cut-xargs
echo "Hello, World" | tr 'a-z' 'A-Z'
echo "a:b:c:d" | tr ':' '\n' | tail -n 1
echo "squeeze    these   spaces" | tr -s ' '
echo "remove vowels" | tr -d 'aeiou'
echo "one:two:three" | cut -d: -f2-
echo "abcdefgh" | cut -c2-4
printf '%s\n' x y z | xargs echo args:
printf '%s\n' 1 2 3 4 5 | xargs -n 2 echo
find a -name '*.txt' | sort | xargs cat | wc -l

section tar-gzip
tar -cf archive.tar a
tar -tf archive.tar | sort
mkdir extract
tar -xf archive.tar -C extract
cmp a/b/two.txt extract/a/b/two.txt && echo "tar round trip ok"
tar -czf archive.tgz a
rm -r extract
mkdir extract
tar -xzf archive.tgz -C extract
find extract | sort
seq 1 2000 >numbers
gzip -9 numbers
[ -f numbers.gz ] && [ ! -f numbers ] && echo "gzip replaced the file"
gunzip numbers.gz
wc -l <numbers
tail -n 1 numbers
gzip -c numbers | gunzip | md5sum
zcat archive.tgz | tar -tf - | wc -l

section md5sum
md5sum words a/one.txt
echo -n "" | md5sum
md5sum words >sums
md5sum -c sums

section date-seq-expr-test
date -u -d @0 '+%Y-%m-%d %H:%M:%S'
date -u -d @1600000000 '+%A %d %B %Y %T'
date -u -d @86399 +%s
seq 5
seq 2 3 11
seq -s , 1 5
expr 6 \* 7
expr 17 / 5 + 17 % 5
expr length "hello"
expr "abc" = "abc"
test 3 -lt 5 && echo "3 < 5"
test -d a && echo "a is a directory"
test -f a && echo "never" || echo "a is not a file"
[ "x" = "y" ] || echo "x != y"
[ -z "" ] && [ -n "set" ] && echo "z and n"

section shell
false; echo "false: $?"
true; echo "true: $?"
(exit 7); echo "subshell exit: $?"
sh -c 'exit 9'; echo "sh -c exit: $?"
count=0
for word in alpha beta gamma; do
	count=$((count + 1))
	echo "$count $word"
done
i=0
while [ $i -lt 3 ]; do
	i=$((i + 1))
done
echo "while ran $i times"
until [ $i -eq 0 ]; do i=$((i - 1)); done
echo "until: $i"
square() { echo $(($1 * $1)); }
echo "square 12 = $(square 12)"
greet() {
	local name=$1
	echo "hello, $name"
	return 4
}
greet sh; echo "greet returned $?"
case "banana" in
	a*) echo "starts with a" ;;
	b*) echo "starts with b" ;;
esac
outer=$(echo "inner $(echo nested)")
echo "$outer"
( cd a && pwd | sed "s|$WORKDIR|WORKDIR|" )
pwd | sed "s|$WORKDIR|WORKDIR|"
set -- one two three
echo "$# args, second $2"
shift
echo "after shift: $*"
var="a b c"
for piece in $var; do printf '[%s]' "$piece"; done; echo
echo "${undefined:-default} ${var#a } ${#var}"
cat <<END
here-doc with $count and $(echo substitution)
END
cat <<'END'
quoted here-doc: $count stays
END
echo "pipeline status:"
false | true; echo "$?"
true | false; echo "$?"
{ echo grouped; echo lines; } | wc -l
echo stderr-redirect 2>/dev/null >&2
echo "to a file" >out.txt; echo "appended" >>out.txt; cat out.txt
exec 3<words; read -r first_line <&3; exec 3<&-; echo "read: $first_line"
background() { echo "from background"; }
background >bg.txt &
wait $!
echo "wait status $?"; cat bg.txt

section cleanup
cd /
rm -rf "$WORKDIR"
[ -e "$WORKDIR" ] || echo "workdir removed"
echo "workload done"
exit 3
