# Pathname expansion in the scratch directory.
mkdir g && cd g
touch a.txt b.txt c.log .hidden 'with space.txt' x1 x2 x10
echo *.txt
echo *
echo .*
echo x?
echo x[0-9]*
echo [!a]*.txt
echo nomatch*
set -f; echo *.txt; set +f
for f in *.txt; do echo "file: $f"; done
mkdir -p sub/deeper && touch sub/s.txt sub/deeper/d.txt
echo */*.txt
echo sub/*/*
echo "$(echo *.log)"
files=$(ls *.txt | wc -l); echo "ls counts $files"
