# Entry points; each installs what it needs first (scripts/setup.sh).
.PHONY: setup notebooks test lab zh clean

setup:      ## install JupyterLab, nbconvert, GoNB, goimports, gopls into .tools/
	@scripts/setup.sh

notebooks:  ## the main job: run every notebook, HTML exports in build/html
	@scripts/run-notebooks.sh

test:       ## library tests + every notebook through the real GoNB kernel
	@scripts/test.sh

lab:        ## JupyterLab on 127.0.0.1 with a token (LAB_PORT=8888)
	@scripts/lab.sh

zh:         ## regenerate the Chinese edition, notebooks/zh, from notebooks/ and translations/zh
	@python3 scripts/zh_edition.py

clean:      ## remove build products (keeps .tools/)
	rm -rf build
