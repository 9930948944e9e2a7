# case: globs, alternatives, classes, defaults.
for w in apple banana cherry 42 A-1 "" x.txt .hidden "two words"; do
    case $w in
        a*) r="starts with a" ;;
        banana|cherry) r="fruit alternative" ;;
        [0-9]*) r="number" ;;
        [A-Z]-?) r="class and ?" ;;
        "") r="empty" ;;
        *.txt) r="text file" ;;
        .*) r="dotfile" ;;
        *" "*) r="has a space" ;;
        *) r="other" ;;
    esac
    echo "[$w] $r"
done
x=hello
case $x in h*) echo one ;; *) echo two ;; esac
case $x in "h*") echo literal ;; *) echo "quoted pattern is literal" ;; esac
p='h*'; case $x in $p) echo "pattern from a variable" ;; esac
case x in (x) echo "leading paren" ;; esac
case $x in *ll*) echo "contains ll" ;; esac
