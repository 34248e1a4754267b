// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

interface IController {
    function owner() external view returns (address);
    function paused() external view returns (bool);
    function getContract(bytes32 id) external view returns (address);
}

interface ILivepeerToken {
    function totalSupply() external view returns (uint256);
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function mint(address to, uint256 amount) external;
}

interface IMinter {
    function createReward(uint256 fracNum, uint256 fracDenom) external returns (uint256);
    function trustedTransferTokens(address to, uint256 amount) external;
    function trustedWithdrawETH(address payable to, uint256 amount) external;
    function depositETH() external payable returns (bool);
    function setCurrentRewardTokens() external;
    function currentMintableTokens() external view returns (uint256);
    function currentMintedTokens() external view returns (uint256);
}

interface IBondingManager {
    function updateTranscoderWithFees(address transcoder, uint256 fees, uint256 round) external;
    function setCurrentRoundTotalActiveStake() external;
    function getTotalBonded() external view returns (uint256);
    function getTranscoderPoolSize() external view returns (uint256);
    function isActiveTranscoder(address transcoder) external view returns (bool);
}

interface IRoundsManager {
    function currentRound() external view returns (uint256);
    function currentRoundInitialized() external view returns (bool);
    function currentRoundLocked() external view returns (bool);
    function blockHashForRound(uint256 round) external view returns (bytes32);
}

/// Base of every manager contract: Controller link, pause guard, owner guard and
/// name-based lookups performed at call time (nothing is cached).
abstract contract Manager {
    address public controller;

    event SetController(address controller);
    event ParameterUpdate(string param);

    constructor(address _controller) {
        controller = _controller;
    }

    modifier onlyController() {
        require(msg.sender == controller, "caller must be Controller");
        _;
    }

    modifier onlyControllerOwner() {
        require(msg.sender == IController(controller).owner(), "caller must be Controller owner");
        _;
    }

    modifier whenSystemNotPaused() {
        require(!IController(controller).paused(), "system is paused");
        _;
    }

    function setController(address _controller) external onlyController {
        controller = _controller;
        emit SetController(_controller);
    }

    function _lookup(string memory _name) internal view returns (address) {
        return IController(controller).getContract(keccak256(bytes(_name)));
    }

    function _token() internal view returns (ILivepeerToken) {
        return ILivepeerToken(_lookup("LivepeerToken"));
    }

    function _minter() internal view returns (IMinter) {
        return IMinter(_lookup("Minter"));
    }

    function _bondingManager() internal view returns (IBondingManager) {
        return IBondingManager(_lookup("BondingManager"));
    }

    function _roundsManager() internal view returns (IRoundsManager) {
        return IRoundsManager(_lookup("RoundsManager"));
    }
}
