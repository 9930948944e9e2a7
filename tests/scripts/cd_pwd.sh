# cd, pwd, pwd -P, symlinks, OLDPWD, CDPATH.
base=$(pwd -P)
mkdir -p a/b/c
ln -s a/b link
cd link
pwd | sed "s|^$base|BASE|"
pwd -P | sed "s|^$base|BASE|"
cd ..
pwd | sed "s|^$base|BASE|"
cd -P link
pwd | sed "s|^$base|BASE|"
cd - >/dev/null
pwd | sed "s|^$base|BASE|"
echo "OLDPWD=${OLDPWD#$base}"
cd "$base"
cd a/b/c && cd ../.. && pwd | sed "s|^$base|BASE|"
cd "$base"
cd nonexistent 2>/dev/null; echo "cd to a missing dir: $?"
touch file; cd file 2>/dev/null; echo "cd to a file: $?"
( cd /; pwd ); pwd | sed "s|^$base|BASE|"
cd /proc/self 2>/dev/null && cd .. && pwd
cd / && cd .. && pwd
cd "$base"; CDPATH="$base/a" cd b >/dev/null; pwd | sed "s|^$base|BASE|"
cd "$base"/link/c && pwd -P | sed "s|^$base|BASE|"
sh -c 'pwd -P' | sed "s|^$base|BASE|"
cd "$base"; rmdir a/b/c && echo "removed"
