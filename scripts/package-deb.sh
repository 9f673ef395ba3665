#!/usr/bin/env bash
# npm run package: builds carehub_<version>_<arch>.deb with dpkg-deb from the compiled build and
# the production dependencies only (no TypeScript, no tsx). Native modules (better-sqlite3,
# serialport, unix-dgram, noble) are the ones built in this checkout's node_modules, for THIS
# machine's Node ABI and CPU: build the arm64 package on the Pi (or an arm64 builder with the same
# Node major). The package records the ABI in /usr/lib/carehub/node-abi; bin/carehub.js refuses
# to start on a different one.
#
# Options (environment):
#   CAREHUB_PKG_VERSION   package version (default: package.json's)
#   CAREHUB_PKG_OUT       output directory (default: ./build)
#   CAREHUB_PKG_FRESH=1   production dependencies from `npm ci --omit=dev` (network, compiles)
#                         instead of pruning a copy of ./node_modules
#   CAREHUB_PKG_REUSE=1   re-pack the last staging tree (only the version changes; tests)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

version=${CAREHUB_PKG_VERSION:-$(node -p 'require("./package.json").version')}
arch=$(dpkg --print-architecture)
out=${CAREHUB_PKG_OUT:-$root/build}
stage=$out/stage
lib=$stage/usr/lib/carehub
deb=$out/carehub_${version}_${arch}.deb
mkdir -p "$out"

step() { echo "package: $*" >&2; }

if [ "${CAREHUB_PKG_REUSE:-}" != "1" ] || [ ! -d "$lib" ]; then
  step "compiling (tsc)"
  # compiled into the output directory, not ./dist, so a development checkout is left as it was
  rm -rf "$out/dist"
  npx tsc -p packaging/tsconfig.json --outDir "$out/dist"

  rm -rf "$stage"
  mkdir -p "$lib" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/usr/lib/sysusers.d" \
    "$stage/usr/lib/tmpfiles.d" "$stage/etc/carehub" "$stage/usr/share/doc/carehub" "$stage/DEBIAN"

  step "staging the build"
  mkdir -p "$lib/dist" "$lib/bin" "$lib/systemd"
  cp -r "$out/dist/src" "$out/dist/drivers" "$lib/dist/"
  find "$lib/dist" -name '*.map' -delete
  cp bin/carehub.js "$lib/bin/"
  cp -r config "$lib/"
  mkdir -p "$lib/src/console" && cp -r src/console/public "$lib/src/console/"   # console page assets (served from the package root)
  cp package.json package-lock.json README.md "$lib/"
  cp systemd/carehub-hci.conf "$lib/systemd/"

  step "production dependencies"
  if [ "${CAREHUB_PKG_FRESH:-}" = "1" ]; then
    (cd "$lib" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
  else
    cp -a node_modules "$lib/node_modules"
    (cd "$lib" && npm prune --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  rm -f "$lib/package-lock.json" "$lib/node_modules/.package-lock.json"
  # Build leftovers and sources of native modules are not needed at run time.
  find "$lib/node_modules" \( -name obj.target -o -name .deps -o -name '*.o' -o -name '*.a' -o -name Makefile \
    -o -name '*.mk' -o -name config.gypi -o -name 'test_extension.node' -o -name '.github' -o -name '*.map' \
    -o -name '.eslintrc*' -o -name '.npmignore' -o -name '.travis.yml' -o -name '*.ts' -o -name '*.d.mts' \
    -o -name '*.d.cts' -o -name '*.ts.map' -o -name 'CHANGELOG*' -o -name 'HISTORY*' -o -name '*.markdown' \
    -o \( -name '*.md' ! -iname 'LICEN*' \) -o \( -type d \( -name examples -o -name example -o -name benchmarks \) \) \) \
    -prune -exec rm -rf {} +
  rm -rf "$lib/node_modules/better-sqlite3/deps" "$lib/node_modules/better-sqlite3/src"
  for d in "$lib"/node_modules/*/build "$lib"/node_modules/@*/*/build; do
    [ -d "$d/Release" ] && find "$d" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
  done
  # prebuilt binaries of other platforms (prebuilds/<platform>-<arch>/) are dead weight
  node_arch=$(node -p 'process.platform + "-" + process.arch')
  find "$lib/node_modules" -type d -name prebuilds -print0 | while IFS= read -r -d '' p; do
    find "$p" -mindepth 1 -maxdepth 1 ! -name "$node_arch" -exec rm -rf {} +
  done
  find "$lib/node_modules" \( -name '*.musl.node' -o -path '*/build/Release/obj' -o -path '*/usb/libusb' -o -name .gitattributes \) -prune -exec rm -rf {} +
  find "$lib/node_modules" -name '*.node' -exec sh -c 'for f; do strip --strip-unneeded "$f" 2>/dev/null || true; done' sh {} +
  [ -x "$lib/node_modules/.bin/tsx" ] && { echo "package: tsx in the production dependencies" >&2; exit 1; }
  # type declarations and command links are never loaded at run time
  rm -rf "$lib/node_modules/@types"
  # dbus-next's optional usocket is never built (not in allowScripts; dbus-next runs without it)
  # and drags node-gyp, a build tool with Python scripts, into the production tree
  rm -rf "$lib/node_modules/usocket" "$lib/node_modules/node-gyp"
  find "$lib/node_modules" -type d -name .bin -prune -exec rm -rf {} +
  node -p '`${process.versions.modules} ${process.version} ${process.platform}-${process.arch}`' > "$lib/node-abi"

  step "system files"
  ln -s ../lib/carehub/bin/carehub.js "$stage/usr/bin/carehub"
  chmod 0755 "$lib/bin/carehub.js"
  install -m 0644 systemd/carehub.service "$stage/lib/systemd/system/carehub.service"
  install -m 0644 packaging/sysusers.conf "$stage/usr/lib/sysusers.d/carehub.conf"
  install -m 0644 packaging/tmpfiles.conf "$stage/usr/lib/tmpfiles.d/carehub.conf"
  install -m 0644 packaging/carehub.yaml "$stage/etc/carehub/carehub.yaml"
  install -m 0644 packaging/debian/copyright "$stage/usr/share/doc/carehub/copyright"
  for s in postinst prerm postrm; do install -m 0755 "packaging/debian/$s" "$stage/DEBIAN/$s"; done
  echo /etc/carehub/carehub.yaml > "$stage/DEBIAN/conffiles"
  # normalise permissions (umask of the builder must not leak into the package)
  find "$stage" -path "$stage/DEBIAN" -prune -o -type d -exec chmod 0755 {} +
  find "$stage/usr" "$stage/etc" "$stage/lib" -type f ! -perm -u+x -exec chmod 0644 {} +
  find "$stage/usr" "$stage/etc" "$stage/lib" -type f -perm -u+x -exec chmod 0755 {} +
  find "$lib/node_modules" -name '*.node' -exec chmod 0644 {} +
fi

step "control files for $version"
node_major=$(cut -d' ' -f2 "$lib/node-abi" | sed 's/^v//; s/\..*//')
date=$(date -R)
printf 'carehub (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- carehub maintainers <carehub@users.noreply.github.com>  %s\n' \
  "$version" "$version" "$date" | gzip -9n > "$stage/usr/share/doc/carehub/changelog.gz"
chmod 0644 "$stage/usr/share/doc/carehub/changelog.gz"
# the native modules need the C and C++ runtimes, at least the newest glibc symbol version they use
glibc=$(find "$lib/node_modules" -name '*.node' -exec objdump -T {} + 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
  -e "s/@GLIBC@/${glibc:-2.31}/" -e "s/@NODE_MAJOR@/$node_major/" -e "s/@NODE_NEXT@/$((node_major + 1))/" \
  packaging/debian/control.in > "$stage/DEBIAN/control"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum > DEBIAN/md5sums)
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"

step "dpkg-deb"
dpkg-deb --root-owner-group -Zxz -z3 --build "$stage" "$deb" >/dev/null
echo "$deb"
