# Generates the test database (fixed seed and as-of date) and dumps the catalog from it.
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
execute_process(COMMAND ${BIN}/bi-demo-db --as-of 2026-06-14 --scale 0.25 --seed 7 --output ${OUT}/demo.db
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "bi-demo-db failed: ${rc}")
endif()
execute_process(COMMAND ${BIN}/bi-dump --quiet --database ${OUT}/demo.db --queries-dir ${SRC}/queries --dumps-dir ${OUT}/dumps
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "bi-dump failed: ${rc}")
endif()
