#!/bin/sh
# Install Matome for this user under ~/.local (no root needed), or remove it again:
#
#   ./install.sh              install (or update) from the folder this script is in
#   ./install.sh --uninstall  remove the program; your settings, models and history stay
#
# The program goes to ~/.local/lib/matome, the `matome` command to ~/.local/bin, the menu
# entry (with "Open with Matome" for PDF, Word, text and Markdown files) and icon to
# ~/.local/share.
set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
DATA_HOME="${XDG_DATA_HOME:-$HOME/.local/share}"
PROGRAM_DIR="$HOME/.local/lib/matome"
BIN_DIR="$HOME/.local/bin"
APPLICATIONS_DIR="$DATA_HOME/applications"
ICON_THEME_DIR="$DATA_HOME/icons/hicolor"

refresh_desktop_caches() {
    # Menus and file managers read these caches; both tools are optional.
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database "$APPLICATIONS_DIR" || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t "$ICON_THEME_DIR" || true
    fi
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$PROGRAM_DIR"
    rm -f "$BIN_DIR/matome" "$APPLICATIONS_DIR/matome.desktop" \
          "$ICON_THEME_DIR/256x256/apps/matome.png" "$ICON_THEME_DIR/scalable/apps/matome.svg"
    refresh_desktop_caches
    echo "Matome was removed. Your settings, models and history are still in ~/.config/Matome and ~/.local/share/Matome."
    exit 0
fi

if [ ! -x "$HERE/Matome/Matome" ]; then
    echo "install.sh: $HERE/Matome/Matome not found; run this script from the unpacked archive." >&2
    exit 1
fi

mkdir -p "$BIN_DIR" "$APPLICATIONS_DIR" "$ICON_THEME_DIR/256x256/apps" "$ICON_THEME_DIR/scalable/apps" \
         "$(dirname "$PROGRAM_DIR")"
# Copy to a new folder, then swap: an update never leaves half of two versions behind.
rm -rf "$PROGRAM_DIR.new"
cp -R "$HERE/Matome" "$PROGRAM_DIR.new"
rm -rf "$PROGRAM_DIR"
mv "$PROGRAM_DIR.new" "$PROGRAM_DIR"
ln -sf "$PROGRAM_DIR/Matome" "$BIN_DIR/matome"
cp "$HERE/matome-256.png" "$ICON_THEME_DIR/256x256/apps/matome.png"
cp "$HERE/matome.svg" "$ICON_THEME_DIR/scalable/apps/matome.svg"
# Menus do not search ~/.local/bin, so the entry names the program by its full path.
sed -e "s|^Exec=.*|Exec=\"$PROGRAM_DIR/Matome\" %F|" -e "s|^TryExec=.*|TryExec=$PROGRAM_DIR/Matome|" \
    "$HERE/matome.desktop" > "$APPLICATIONS_DIR/matome.desktop"
chmod 644 "$APPLICATIONS_DIR/matome.desktop"
refresh_desktop_caches

echo "Matome is installed: find it in your applications menu, or run $BIN_DIR/matome."
case ":$PATH:" in
    *":$BIN_DIR:"*) ;;
    *) echo "(Add $BIN_DIR to your PATH to start it as \`matome\` from a terminal.)" ;;
esac
