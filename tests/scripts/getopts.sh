# getopts: flags, arguments, bundling, errors, OPTIND.
parse() {
    OPTIND=1
    a=0 b="" c=0
    while getopts "ab:c" opt; do
        case $opt in
            a) a=1 ;;
            b) b=$OPTARG ;;
            c) c=$((c + 1)) ;;
            ?) echo "bad option"; ;;
        esac
    done
    shift $((OPTIND - 1))
    echo "a=$a b=[$b] c=$c rest=[$*] OPTIND=$OPTIND"
}
parse -a -b value file1 file2
parse -ac -bjoined
parse -cc -- -a notanoption
parse file -a
parse -x 2>&1
parse -b 2>&1
silent() {
    OPTIND=1
    while getopts ":q:" opt; do
        case $opt in
            q) echo "q=$OPTARG" ;;
            :) echo "missing argument for -$OPTARG" ;;
            \?) echo "unknown -$OPTARG" ;;
        esac
    done
}
silent -q 1 -z -q
