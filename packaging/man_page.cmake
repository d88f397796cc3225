# Writes the man page convscope.1 (and convscope.1.gz) from the program's own help, with Debian's
# help2man: `convscope --help` is the page, and sections added from an include file list the
# window's options (`convscope --usage`) and each command's options (`convscope COMMAND --help`,
# commands read from the --help list, so a new command needs no edit here).
# Run by packaging/CMakeLists.txt at build time:
#   cmake -DEXE=convscope -DHELP2MAN=help2man -DGZIP=gzip -DOUT=convscope.1 -P man_page.cmake
foreach(var EXE HELP2MAN GZIP OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "man_page.cmake needs -D${var}=...")
  endif()
endforeach()

# The output of `EXE args...`, which must exit 0.
function(help_text out)
  execute_process(COMMAND ${EXE} ${ARGN} OUTPUT_VARIABLE text ERROR_VARIABLE err
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "`convscope ${ARGN}` exited with ${rc}: ${err}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# `text` as a roff no-fill block that prints exactly as the terminal did.
function(roff_block out text)
  string(REPLACE "\\" "\\e" text "${text}")
  # NOTE: a plain '-' may print as a typographic hyphen, which breaks copying an option.
  string(REPLACE "-" "\\-" text "${text}")
  # A line that starts with '.' or "'" would be a roff request.
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  string(STRIP "${text}" text)
  set(${out} ".nf\n${text}\n.fi\n" PARENT_SCOPE)
endfunction()

help_text(top --help)
help_text(window --usage)

# The command names: the indented lines between "commands:" and the next blank line.
string(REGEX MATCH "\ncommands:\n([^\n]+\n)+" list "${top}")
string(REGEX MATCHALL "\n  [a-z][a-z-]* " names "${list}")
set(commands)
foreach(name IN LISTS names)
  string(STRIP "${name}" name)
  if(NOT name STREQUAL "help")
    list(APPEND commands ${name})
  endif()
endforeach()
if(NOT commands)
  message(FATAL_ERROR "found no command list in `convscope --help`:\n${top}")
endif()

roff_block(block "${window}")
set(include "[THE WINDOW]\nWithout a command, convscope opens the visualizer window.\n.PP\n${block}\n")
string(APPEND include "[COMMANDS]\n")
foreach(command IN LISTS commands)
  help_text(text ${command} --help)
  roff_block(block "${text}")
  string(APPEND include ".SS \"convscope ${command}\"\n${block}")
endforeach()
string(APPEND include "
[ENVIRONMENT]
.TP
.B XDG_STATE_HOME
The window keeps its layout, preferences and last lesson in
.IR \$XDG_STATE_HOME/convscope/ ,
by default
.IR ~/.local/state/convscope/ .
.TP
.B CONVSCOPE_SHADER_DIR
A folder of GLSL compute shaders read instead of the installed ones.

[FILES]
.TP
.I /usr/share/convscope/
Shaders and sample pictures, found relative to the program
.RI ( <bindir>/../share/convscope/ ),
so a moved installation finds its own copy.

[SEE ALSO]
The guides in the source tree: README.md, docs/cli.md, docs/ui.md and docs/gpu.md.
")
get_filename_component(out_dir "${OUT}" DIRECTORY)
set(include_file "${out_dir}/convscope.h2m")
file(WRITE "${include_file}" "${include}")

execute_process(
  COMMAND ${HELP2MAN} --no-info --section=1 --locale=C.UTF-8
          "--name=a teaching tool for 2-D convolution and pooling, exactly PyTorch's"
          "--include=${include_file}" "--output=${OUT}.tmp" ${EXE}
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed (${rc}): ${err}")
endif()
file(RENAME "${OUT}.tmp" "${OUT}")
# Debian's man pages are gzip -9n (no name, no time stamp inside: the same bytes every build).
execute_process(COMMAND ${GZIP} -9nf -k "${OUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip ${OUT} failed (${rc})")
endif()
