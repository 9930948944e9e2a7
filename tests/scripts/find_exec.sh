# find -exec over a tree made in the scratch directory.
mkdir -p tree/a/b tree/c
echo alpha > tree/a/one.txt
echo beta > tree/a/b/two.txt
echo gamma > tree/c/three.txt
echo skip > tree/c/four.dat
find tree -name '*.txt' -exec cat {} \; | sort
find tree -type f -exec echo found {} + | tr ' ' '\n' | sort
find tree -type d | sort
find tree -name '*.dat' -exec sh -c 'echo "sh sees $1"' sh {} \;
find tree -type f -exec grep -l a {} \; | sort
find tree -name '*.txt' | xargs wc -c | sort
find tree -newer tree/a/one.txt -name nothing -print
find tree -name 'four.dat' -exec rm {} \;
find tree -type f | wc -l
