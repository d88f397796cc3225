// Our own instance of Debian's stb_truetype and stb_rect_pack, which libimgui.a calls for its
// font atlas. Linking this instead of -lstb keeps Debian's all-formats stb_image out of the binary.
#define STB_RECT_PACK_IMPLEMENTATION
#include <stb/stb_rect_pack.h>
#define STB_TRUETYPE_IMPLEMENTATION
#include <stb/stb_truetype.h>
